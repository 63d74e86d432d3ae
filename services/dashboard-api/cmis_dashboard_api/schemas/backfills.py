"""Backfills: a date range read again on demand, and the days with no data."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from cmis_dashboard_api.schemas.common import Body, Flag, IsoText
from cmis_shared.events import BackfillStatus

Day = Annotated[date, IsoText]
BackfillDataType = Literal["metrics", "posts"]


def _metrics_only() -> list[BackfillDataType]:
    return ["metrics"]


class BackfillRequest(Body):
    since: Day = Field(description="First day to read (inclusive, the accounts' own dates).")
    until: Day = Field(description="Last day to read (inclusive); not after today.")
    integration_ids: list[UUID] | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="Integrations to backfill; omitted: every connected one of the org.",
    )
    data_types: list[BackfillDataType] = Field(
        default_factory=_metrics_only,
        min_length=1,
        max_length=2,
        description="`metrics` (daily figures, default) and/or `posts`.",
    )
    only_gaps: Flag = Field(
        default=False,
        description="Read only the days with no daily metrics yet (metrics only).",
    )


class BackfillOut(BaseModel):
    id: UUID
    status: BackfillStatus
    since: date
    until: date
    integration_ids: list[UUID]
    data_types: list[str]
    only_gaps: bool
    requested_by: str
    requested_at: datetime
    finished_at: datetime | None
    windows_total: int = Field(description="Windows planned (0: every day was covered already).")
    windows_done: int
    windows_failed: int
    windows_cancelled: int
    windows_pending: int = Field(description="Windows not yet finished (queued or running).")
    rows_stored: int = Field(description="Rows the finished windows stored.")


class BackfillList(BaseModel):
    backfills: list[BackfillOut]


class DaySpan(BaseModel):
    start: date
    end: date
    days: int


class IntegrationGaps(BaseModel):
    integration_id: UUID
    platform: str
    since: date
    until: date
    missing_days: int
    gaps: list[DaySpan] = Field(description="Runs of consecutive days with no daily metrics.")


class GapsOut(BaseModel):
    integrations: list[IntegrationGaps]
