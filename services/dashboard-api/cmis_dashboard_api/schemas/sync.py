"""Bodies of the sync routes: status, one integration's runs, triggers, statistics."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field

from cmis_dashboard_api.schemas.common import Body
from cmis_dashboard_api.schemas.dashboard import SyncSummary
from cmis_shared.events import DataType


class LastError(BaseModel):
    error_class: str | None
    message: str | None
    at: datetime | None


class DataTypeStatus(BaseModel):
    data_type: str
    status: str = Field(description="pending, syncing, success or failed")
    run_id: UUID | None
    trigger: str | None
    attempt: int | None
    requested_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    will_retry: bool
    next_retry_at: datetime | None
    next_scheduled_at: datetime | None


class IntegrationSyncStatus(BaseModel):
    integration_id: UUID
    platform: str
    account_id: str
    account_name: str
    connection_status: str = Field(description="active or paused")
    status_reason: str | None
    status: str = Field(description="pending, syncing, success or failed")
    last_synced_at: datetime | None
    last_error: LastError | None
    attempt: int | None
    will_retry: bool
    next_retry_at: datetime | None
    next_scheduled_sync: datetime | None
    data_types: list[DataTypeStatus]


class OrgSyncStatus(BaseModel):
    org_id: UUID
    summary: SyncSummary
    integrations: list[IntegrationSyncStatus]


class AttemptRow(BaseModel):
    attempt: int
    worker_id: str | None
    started_at: datetime
    finished_at: datetime | None
    outcome: str | None
    error_class: str | None
    error_message: str | None
    retryable: bool | None


class RunRow(BaseModel):
    run_id: UUID
    data_type: str
    trigger: str
    status: str
    attempt: int
    requested_by: str | None
    requested_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    next_attempt_at: datetime | None
    error_class: str | None
    error_message: str | None
    counts: dict[str, int]
    attempts: list[AttemptRow]


class IntegrationSyncDetail(BaseModel):
    integration: IntegrationSyncStatus
    recent_runs: list[RunRow]


class TriggerRequest(Body):
    data_type: DataType = Field(
        default=DataType.ALL, description="campaigns, metrics, posts or all (default)."
    )


class TriggeredRun(BaseModel):
    run_id: UUID
    integration_id: UUID
    platform: str
    data_type: str
    status: str
    created: bool = Field(description="False when a queued or running run was returned.")
    correlation_id: UUID


class TriggerResponse(BaseModel):
    org_id: UUID
    runs: list[TriggeredRun]


class Freshness(BaseModel):
    integration_id: UUID
    platform: str
    account_name: str
    last_synced_at: datetime | None
    age_seconds: float | None


class SyncStatistics(BaseModel):
    org_id: UUID
    period_days: int
    since: datetime
    runs_by_outcome: dict[str, int]
    success_rate: float | None = Field(description="success / (success + failed), 0..1")
    duration_p50_ms: float | None
    duration_p95_ms: float | None
    failures_by_error_class: dict[str, int]
    failures_by_platform: dict[str, int]
    freshness: list[Freshness]
