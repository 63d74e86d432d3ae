"""Settings of the dashboard API process (env prefix ``CMIS_``), built in ``main()``."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator, model_validator
from pydantic_settings import NoDecode

from cmis_dashboard_api.domain.origins import parse_origins
from cmis_shared.settings import CmisSettings


class DashboardSettings(CmisSettings):
    service_name: str = "dashboard-api"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    trigger_rate_limit: int = Field(
        default=30, ge=1, description="Manual sync trigger requests allowed per org per window."
    )
    trigger_rate_window_seconds: int = Field(default=60, ge=1)
    view_ttl_seconds: int = Field(
        default=7 * 24 * 3600,
        ge=60,
        description="Safety-net expiry of the materialized view; events keep it fresh.",
    )
    period_view_ttl_seconds: int = Field(
        default=300, ge=1, description="Cache lifetime of views for a non-default period."
    )
    auth_cache_seconds: float = Field(
        default=30.0, ge=0, description="How long a token -> user/orgs lookup is reused."
    )
    sse_ping_seconds: float = Field(default=15.0, gt=0)
    benchmark_routes: bool = Field(
        default=False,
        description="Mount the bare, unauthenticated reference route used by bench_dashboard "
        "(refused unless the environment is development or test).",
    )
    api_token_lifetime_days: int = Field(
        default=30, ge=1, le=3650, description="Every API token issued expires after this."
    )
    sse_max_per_user: int = Field(
        default=5, ge=1, description="Open live streams one user may hold in this process."
    )
    sse_max_per_process: int = Field(
        default=1000, ge=1, description="Open live streams this process serves at most."
    )
    refresh_rate_limit: int = Field(
        default=6, ge=1, description="Dashboard refreshes allowed per org per window."
    )
    statistics_rate_limit: int = Field(
        default=30, ge=1, description="Sync statistics reads allowed per org per window."
    )
    expensive_rate_window_seconds: int = Field(
        default=60, ge=1, description="Window of the refresh and statistics limits."
    )
    auth_cache_size: int = Field(
        default=50_000, ge=1, description="Token lookups kept (least recently used dropped)."
    )
    failed_auth_limit: int = Field(
        default=30,
        ge=1,
        description="Failed authentications allowed per client address per window.",
    )
    failed_auth_window_seconds: int = Field(default=60, ge=1)
    unavailable_retry_after_seconds: int = Field(
        default=5,
        ge=1,
        description="Retry-After of the 503 answered while PostgreSQL, Redis or RabbitMQ is "
        "unreachable.",
    )
    cors_origins: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description="Browser origins allowed to call the API (comma-separated, exact "
        "`scheme://host[:port]`; no wildcard). None by default: no cross-origin access.",
    )
    sign_in_lifetime_hours: int = Field(
        default=12, ge=1, le=24 * 90, description="Lifetime of a token issued by sign-in."
    )
    sign_in_account_failures: int = Field(
        default=5, ge=1, description="Failed sign-ins one account may take per window."
    )
    sign_in_address_failures: int = Field(
        default=20, ge=1, description="Failed sign-ins one client address may make per window."
    )
    sign_in_window_seconds: int = Field(
        default=900, ge=1, description="Window (refilled evenly) of the sign-in failure limits."
    )
    password_hash_concurrency: int = Field(
        default=4,
        ge=1,
        description="Argon2 hashes computed at once by this process (each takes 19 MiB).",
    )
    live_ticket_seconds: int = Field(
        default=30, ge=1, le=300, description="Lifetime of a single-use live stream ticket."
    )
    live_buffer_length: int = Field(
        default=1000, ge=10, description="Live events kept per organization for resuming."
    )
    live_buffer_seconds: int = Field(
        default=3600, ge=60, description="A quiet organization's buffer expires after this."
    )
    access_log: bool = False
    trace_dashboard_reads: bool = Field(
        default=False, description="Trace the warm dashboard GET too (costs about half its speed)."
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _parse_cors_origins(cls, value: object) -> tuple[str, ...]:
        return parse_origins(value)

    @model_validator(mode="after")
    def _refuse_benchmark_routes_in_production(self) -> DashboardSettings:
        if self.benchmark_routes and not self.is_development:
            raise ValueError(
                "CMIS_BENCHMARK_ROUTES serves dashboards without authentication; it is "
                "accepted only with CMIS_ENVIRONMENT=development or test"
            )
        return self

    def protections(self) -> dict[str, object]:
        return {
            **super().protections(),
            "benchmark_routes": self.benchmark_routes,
            "api_access_lifetime_days": self.api_token_lifetime_days,
            "auth_cache_seconds": self.auth_cache_seconds,
            "failed_auth_limit": f"{self.failed_auth_limit}/{self.failed_auth_window_seconds}s",
            "sse_max_per_user": self.sse_max_per_user,
            "sse_max_per_process": self.sse_max_per_process,
            "cors_origins": ",".join(self.cors_origins) or "none",
            "sign_in_failures": f"{self.sign_in_account_failures}/account, "
            f"{self.sign_in_address_failures}/address per {self.sign_in_window_seconds}s",
        }
