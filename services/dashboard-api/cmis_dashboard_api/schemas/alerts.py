"""Bodies of the alert routes. Alerts are written by the alerting service only: the commands
(acknowledge, snooze, resolve) are accepted here and applied there."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from cmis_dashboard_api.schemas.common import Body, Instant


class AlertOut(BaseModel):
    id: UUID
    type: str
    severity: str
    status: Literal["open", "resolved"]
    message: str
    subject_type: str
    subject_id: UUID
    integration_id: UUID | None = Field(
        description="The integration concerned (the subject, or the campaign's)."
    )
    campaign_id: UUID | None = Field(description="The subject, when it is a campaign.")
    occurrences: int
    details: dict[str, Any]
    first_seen_at: datetime
    last_seen_at: datetime
    resolved_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    snoozed_until: datetime | None = Field(
        description="Changes before this time are recorded without notifications."
    )


class AlertPage(BaseModel):
    items: list[AlertOut]
    next_cursor: str | None


class HistoryEntry(BaseModel):
    id: int
    action: str = Field(
        description="raised, escalated, updated, resolved, acknowledged or snoozed."
    )
    severity: str
    at: datetime
    details: dict[str, Any]


class HistoryPage(BaseModel):
    items: list[HistoryEntry]
    next_cursor: str | None


class SnoozeRequest(Body):
    until: Instant = Field(description="A future time, at most 90 days ahead.")


class AlertCommandAccepted(BaseModel):
    alert_id: UUID
    action: Literal["acknowledge", "snooze", "resolve"]
    snoozed_until: datetime | None
    command_id: UUID = Field(
        description="The `alerting.command` event's id; the alert's history shows the change "
        "once the alerting service applied it."
    )
