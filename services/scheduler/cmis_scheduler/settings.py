"""Scheduler settings (env prefix ``CMIS_``). Every period and pause is configurable so tests
can shrink time to seconds; organizations override the schedule periods in
``organizations.settings`` (see :mod:`cmis_scheduler.domain.schedule`)."""

from __future__ import annotations

from datetime import time

from pydantic import Field

from cmis_shared.events import DataType, Platform
from cmis_shared.settings import CmisSettings


class SchedulerSettings(CmisSettings):
    service_name: str = "scheduler"

    metrics_period_seconds: int = Field(default=3600, ge=1)
    campaigns_period_seconds: int = Field(default=4 * 3600, ge=1)
    full_sync_period_seconds: int = Field(default=86400, ge=1)
    full_sync_at: time = Field(default=time(2, 0), description="Org-local time of the full sync.")
    full_sync_spread_seconds: int = Field(
        default=3600, ge=1, description="Full syncs spread over this window after full_sync_at."
    )

    tick_seconds: float = Field(default=1.0, gt=0, description="Dispatch loop cadence.")
    dispatch_batch_size: int = Field(default=1000, ge=1, le=20000)
    default_rate_budget_per_minute: int = Field(default=1200, ge=1)
    rate_budget_per_minute: dict[Platform, int] = Field(
        default_factory=dict, description="Per-platform sync requests per minute (overrides)."
    )

    backfill_windows_per_integration: int = Field(
        default=2, ge=1, le=50, description="Backfill windows in flight per integration."
    )

    catch_up_after_seconds: float = Field(
        default=300, ge=0, description="Entries overdue by more than this at start-up were missed."
    )
    catch_up_spread_seconds: int = Field(default=900, ge=1)
    retry_conflict_delay_seconds: float = Field(default=30, ge=0)

    pause_after_failures: int = Field(default=5, ge=1)
    pause_after_seconds: int = Field(default=86400, ge=0)

    # The worker's retry policy, same variables: a run the sweep times out retries like any
    # other retryable failure (CMIS_RETRY_BACKOFF_SECONDS, CMIS_MAX_ATTEMPTS).
    retry_backoff_seconds: tuple[float, ...] = Field(default=(60.0, 300.0, 900.0), min_length=1)
    max_attempts: int = Field(default=3, ge=1, le=20)

    # Stuck runs: queued or running past these limits end as sync.failed (timeout).
    stuck_queued_seconds: float = Field(
        default=1800, gt=0, description="A run queued this long lost its request."
    )
    stuck_running_seconds: dict[DataType, float] = Field(
        default_factory=lambda: {
            DataType.METRICS: 1200.0,
            DataType.POSTS: 1200.0,
            DataType.CAMPAIGNS: 1800.0,
            DataType.ALL: 2700.0,
        },
        description="A run running this long (per data type) lost its worker.",
    )
    stuck_sweep_seconds: float = Field(default=60, gt=0, description="Sweep cadence.")
    stuck_sweep_batch_size: int = Field(default=500, ge=1)
    stale_check_seconds: float = Field(
        default=300,
        gt=0,
        description="How often the stale-integration count (cmis_stale_integrations) is read.",
    )

    # Retention: what is deleted, and how (bounded batches on a slow cadence).
    retention_processed_events_days: float = Field(default=30, gt=0)
    retention_sync_runs_days: float = Field(
        default=90, gt=0, description="Terminal runs (success, failed) with their attempts."
    )
    retention_retry_entries_days: float = Field(
        default=90, gt=0, description="Dispatched retry entries."
    )
    retention_interval_seconds: float = Field(default=3600, gt=0)
    retention_batch_size: int = Field(default=1000, ge=1, le=100_000)
    retention_max_batches: int = Field(
        default=100, ge=1, description="Batches per pass; the rest waits for the next pass."
    )

    # Exchange rates: a euro reference rates provider (the ECB's format and file names under
    # this address); the platform simulator serves one at ``<sim>/fx`` for development.
    exchange_rate_feed_url: str | None = Field(
        default="https://www.ecb.europa.eu/stats/eurofxref",
        description="Base address of eurofxref-daily.xml and eurofxref-hist-90d.xml; unset: "
        "no rates job.",
    )
    exchange_rate_interval_seconds: float = Field(
        default=3600,
        gt=0,
        description="Rates job cadence: the provider publishes once per working day (about "
        "16:00 CET), so it is stored within this long of publication.",
    )
    exchange_rate_max_gap_days: int = Field(
        default=4, ge=1, description="A longer gap in the stored rates is filled from the history."
    )
    exchange_rate_timeout_seconds: float = Field(default=30, gt=0)

    def budget_per_minute(self, platform: Platform) -> int:
        return self.rate_budget_per_minute.get(platform, self.default_rate_budget_per_minute)
