"""Bodies of the KPI target and scheduled content routes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from cmis_dashboard_api.domain.kpis import KPI_METRICS
from cmis_dashboard_api.schemas.common import Amount, Body, Instant, KpiName, LongText, Number
from cmis_shared.events import Platform

KpiMetric = Literal[KPI_METRICS]  # type: ignore[valid-type]
ContentStatus = Literal["draft", "scheduled", "published", "cancelled"]


class KpiIn(Body):
    name: KpiName
    metric: KpiMetric = Field(description="The dashboard figure the KPI tracks.")
    target: Amount
    higher_is_better: bool = True


class KpiUpdate(Body):
    name: KpiName | None = None
    metric: KpiMetric | None = None
    target: Amount | None = None
    higher_is_better: bool | None = None


class KpiOut(BaseModel):
    id: UUID
    name: str
    metric: str
    target: Number
    higher_is_better: bool
    created_at: datetime


class KpiList(BaseModel):
    kpis: list[KpiOut]


class ContentIn(Body):
    content: LongText
    platforms: list[Platform] = Field(min_length=1, max_length=5)
    scheduled_for: Instant
    status: ContentStatus = "scheduled"


class ContentUpdate(Body):
    content: LongText | None = None
    platforms: list[Platform] | None = Field(default=None, min_length=1, max_length=5)
    scheduled_for: Instant | None = None
    status: ContentStatus | None = None


class ContentOut(BaseModel):
    id: UUID
    content: str
    platforms: list[str]
    scheduled_for: datetime
    status: str
    created_at: datetime


class ContentList(BaseModel):
    items: list[ContentOut]
