"""Settings of the dashboard API process (env prefix ``CMIS_``), built in ``main()``."""

from __future__ import annotations

from pydantic import Field

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
        default=False, description="Mount the bare reference route used by bench_dashboard."
    )
    unavailable_retry_after_seconds: int = Field(
        default=5,
        ge=1,
        description="Retry-After of the 503 answered while PostgreSQL, Redis or RabbitMQ is "
        "unreachable.",
    )
    access_log: bool = False
    trace_dashboard_reads: bool = Field(
        default=False, description="Trace the warm dashboard GET too (costs about half its speed)."
    )
