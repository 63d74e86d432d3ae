"""The sync worker's settings (env prefix ``CMIS_``), built in ``main()``, never at import.

Nested values use ``__``: ``CMIS_PLATFORMS__READ_TIMEOUT_S=10``,
``CMIS_PLATFORM_CONCURRENCY='{"google": 50}'``. Tests shrink the retry backoff to
milliseconds with ``CMIS_RETRY_BACKOFF_SECONDS='[0.01, 0.02]'``.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from cmis_shared.events import Platform
from cmis_shared.settings import CmisSettings
from cmis_sync_worker.connectors.config import PlatformEndpoints

# What each platform tolerates from one application, kept well below published limits.
DEFAULT_PLATFORM_CONCURRENCY = {platform: 200 for platform in Platform}
DEFAULT_PLATFORM_CALLS_PER_SECOND = {platform: 1000.0 for platform in Platform}


class SyncWorkerSettings(CmisSettings):
    service_name: str = "sync-worker"

    # Concurrency inside one process (unacked deliveries are bounded by prefetch_count).
    max_concurrent_syncs: int = Field(default=256, ge=1, le=5000)

    # Retry policy: the worker says when; the scheduler waits.
    retry_backoff_seconds: tuple[float, ...] = Field(default=(60.0, 300.0, 900.0), min_length=1)
    max_attempts: int = Field(default=3, ge=1, le=20)

    # Tokens are refreshed when they expire within this margin, so a sync never expires mid-way.
    token_refresh_margin_seconds: float = Field(default=300.0, ge=0)

    # Re-read window: platforms revise recent days (attribution). Unset = the platform default.
    lookback_days: dict[Platform, int] = Field(default_factory=dict)
    posts_lookback_days: int = Field(default=30, ge=1)
    backfill_days: int = Field(
        default=90, ge=1, description="History read on an integration's first metrics sync."
    )

    # Limits shared by every worker process through Redis.
    platform_concurrency: dict[Platform, int] = Field(
        default_factory=lambda: dict(DEFAULT_PLATFORM_CONCURRENCY)
    )
    account_concurrency: int = Field(default=4, ge=1)
    platform_calls_per_second: dict[Platform, float] = Field(
        default_factory=lambda: dict(DEFAULT_PLATFORM_CALLS_PER_SECOND)
    )
    limiter_lease_seconds: float = Field(
        default=120.0,
        gt=0,
        description="A slot held by a killed worker frees itself after this; keep it above "
        "the longest single fetch (pages x read timeout).",
    )
    limiter_max_wait_seconds: float = Field(
        default=60.0, ge=0, description="Past this wait, the sync fails as rate_limited (retried)."
    )

    write_batch_size: int = Field(default=10_000, ge=100)

    platforms: PlatformEndpoints = Field(default_factory=PlatformEndpoints)
    platform_sim_url: str | None = Field(
        default=None, description="Point every platform at the simulator (development, tests)."
    )

    @model_validator(mode="after")
    def _refuse_simulator_in_production(self) -> SyncWorkerSettings:
        if self.environment == "production" and self.platform_sim_url:
            raise ValueError("CMIS_PLATFORM_SIM_URL must not be set in production")
        return self

    def endpoints(self) -> PlatformEndpoints:
        if self.platform_sim_url is None:
            return self.platforms
        overrides = self.platforms.model_dump(exclude_unset=True)
        return PlatformEndpoints.pointing_at(self.platform_sim_url, **overrides)

    def concurrency_for(self, platform: Platform) -> int:
        return self.platform_concurrency.get(platform, DEFAULT_PLATFORM_CONCURRENCY[platform])

    def calls_per_second_for(self, platform: Platform) -> float:
        return self.platform_calls_per_second.get(
            platform, DEFAULT_PLATFORM_CALLS_PER_SECOND[platform]
        )
