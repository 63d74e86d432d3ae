"""Bodies of the KPI target and scheduled content routes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, TypeAlias
from uuid import UUID

from pydantic import BaseModel, Field

from cmis_dashboard_api.domain.kpis import KPI_METRICS
from cmis_dashboard_api.schemas.common import (
    Amount,
    Body,
    Flag,
    Instant,
    KpiName,
    LongText,
    Number,
)
from cmis_shared.events import Platform

KpiMetric = Literal[KPI_METRICS]  # type: ignore[valid-type]
ContentStatus = Literal["draft", "scheduled", "published", "cancelled"]
# Platforms, and Meta's two channels (domain/publishing.py maps them to the Meta connection).
ContentPlatform: TypeAlias = Platform | Literal["facebook", "instagram"]


class KpiIn(Body):
    name: KpiName
    metric: KpiMetric = Field(description="The dashboard figure the KPI tracks.")
    target: Amount
    higher_is_better: Flag = True


class KpiUpdate(Body):
    name: KpiName | None = None
    metric: KpiMetric | None = None
    target: Amount | None = None
    higher_is_better: Flag | None = None


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
    platforms: list[ContentPlatform] = Field(min_length=1, max_length=7)
    scheduled_for: Instant
    status: ContentStatus = "scheduled"


class ContentUpdate(Body):
    content: LongText | None = None
    platforms: list[ContentPlatform] | None = Field(default=None, min_length=1, max_length=7)
    scheduled_for: Instant | None = None
    status: ContentStatus | None = None


class ContentTarget(BaseModel):
    platform: str
    integration_id: UUID | None = Field(description="The connection it goes to; null: none.")
    account_id: str | None = Field(
        description="The account, Facebook page or Instagram account id it is posted as."
    )


class ContentOut(BaseModel):
    id: UUID
    content: str
    platforms: list[str]
    scheduled_for: datetime
    status: str
    created_at: datetime
    targets: list[ContentTarget] = Field(
        default_factory=list,
        description="Each platform's connected account (`facebook`, `instagram`: the Meta "
        "connection's page and Instagram account).",
    )


class ContentList(BaseModel):
    items: list[ContentOut]
