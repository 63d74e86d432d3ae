"""Settings of the dashboard API process (env prefix ``CMIS_``), built in ``main()``."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode

from cmis_dashboard_api.domain.origins import parse_origins
from cmis_shared.api_versions import DEFAULT_API_VERSIONS
from cmis_shared.events import Platform
from cmis_shared.settings import CmisSettings


class ClientCredentials(BaseModel):
    """This application's client id (app id, consumer key) and secret at one platform."""

    model_config = ConfigDict(frozen=True)

    id: str = ""
    secret: SecretStr = SecretStr("")

    def configured(self) -> bool:
        return bool(self.id and self.secret.get_secret_value())


class OAuthClients(BaseModel):
    """Each platform's consent, token and account-listing addresses and this application's
    client credentials there (``CMIS_OAUTH__GOOGLE__ID``, ``…__SECRET``; secrets stay in
    settings, never reach a browser). Defaults are the real platforms; the demo and tests
    use :meth:`pointing_at` the simulator. A platform without client credentials cannot be
    connected through OAuth."""

    model_config = ConfigDict(frozen=True)

    google: ClientCredentials = ClientCredentials()
    meta: ClientCredentials = ClientCredentials()
    tiktok: ClientCredentials = ClientCredentials()
    linkedin: ClientCredentials = ClientCredentials()
    twitter: ClientCredentials = ClientCredentials()  # X: consumer key and secret

    google_authorize_url: str = "https://accounts.google.com/o/oauth2/v2/auth"
    google_token_url: str = "https://oauth2.googleapis.com/token"
    google_ads_base_url: str = "https://googleads.googleapis.com/"
    google_ads_api_version: str = DEFAULT_API_VERSIONS[Platform.GOOGLE]
    google_developer_token: SecretStr = SecretStr("")
    meta_dialog_base_url: str = "https://www.facebook.com/"
    meta_graph_base_url: str = "https://graph.facebook.com/"
    meta_api_version: str = DEFAULT_API_VERSIONS[Platform.META]
    tiktok_portal_url: str = "https://business-api.tiktok.com/portal/auth"
    tiktok_business_base_url: str = "https://business-api.tiktok.com/open_api/"
    tiktok_api_version: str = DEFAULT_API_VERSIONS[Platform.TIKTOK]
    linkedin_authorize_url: str = "https://www.linkedin.com/oauth/v2/authorization"
    linkedin_token_url: str = "https://www.linkedin.com/oauth/v2/accessToken"
    linkedin_base_url: str = "https://api.linkedin.com/rest/"
    linkedin_version: str = DEFAULT_API_VERSIONS[Platform.LINKEDIN]
    x_oauth_base_url: str = "https://api.x.com/oauth/"
    x_ads_base_url: str = "https://ads-api.x.com/"
    x_ads_api_version: str = DEFAULT_API_VERSIONS[Platform.TWITTER]
    timeout_seconds: float = Field(default=10.0, gt=0, description="Per platform call.")

    @classmethod
    def pointing_at(cls, simulator_url: str, **overrides: object) -> OAuthClients:
        """Every platform on one platform simulator, with demo client credentials
        (development and tests only)."""
        base = simulator_url.rstrip("/")
        values: dict[str, object] = {
            "google_authorize_url": f"{base}/google/o/oauth2/v2/auth",
            "google_token_url": f"{base}/google/token",
            "google_ads_base_url": f"{base}/google/",
            "google_developer_token": "sim-developer-token",
            "meta_dialog_base_url": f"{base}/meta/",
            "meta_graph_base_url": f"{base}/meta/",
            "tiktok_portal_url": f"{base}/tiktok/portal/auth",
            "tiktok_business_base_url": f"{base}/tiktok/open_api/",
            "linkedin_authorize_url": f"{base}/linkedin/oauth/v2/authorization",
            "linkedin_token_url": f"{base}/linkedin/oauth/v2/accessToken",
            "linkedin_base_url": f"{base}/linkedin/rest/",
            "x_oauth_base_url": f"{base}/twitter/oauth/",
            "x_ads_base_url": f"{base}/twitter/ads/",
        }
        for platform in ("google", "meta", "tiktok", "linkedin", "twitter"):
            values[platform] = {"id": f"sim-{platform}-client", "secret": f"sim-{platform}-secret"}
        return cls.model_validate({**values, **overrides})


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
    exchange_rate_cache_seconds: float = Field(
        default=300, ge=0, description="How long a process reuses the exchange rates it read."
    )
    exchange_rate_history_days: int = Field(
        default=130,
        ge=7,
        description="Rates read back this far: the longest dashboard period plus the gaps "
        "(weekends, holidays) before its first day.",
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
    oauth: OAuthClients = Field(default_factory=OAuthClients)
    platform_sim_url: str | None = Field(
        default=None,
        description="Connect accounts through the platform simulator's OAuth flows "
        "(development and tests; refused in production).",
    )
    oauth_public_base_url: str = Field(
        default="http://127.0.0.1:8000",
        pattern=r"^https?://[^/?#]+$",
        description="This API's address as browsers and platforms reach it; the OAuth "
        "callback is <this>/api/oauth/<platform>/callback (register it with each platform).",
    )
    oauth_return_urls: list[str] = Field(
        default_factory=list,
        description="Frontend URLs (origin and path prefix) the browser may be sent back to "
        "after an OAuth consent; none by default.",
    )
    oauth_state_key: SecretStr | None = Field(
        default=None,
        description="HMAC key signing OAuth states; unset: derived from the first encryption key.",
    )
    oauth_state_ttl_seconds: int = Field(
        default=600, ge=10, le=3600, description="How long a user may take on a consent page."
    )
    oauth_pending_ttl_seconds: int = Field(
        default=1800,
        ge=60,
        le=86_400,
        description="How long a granted but not yet connected OAuth grant is kept.",
    )
    trace_dashboard_reads: bool = Field(
        default=False, description="Trace the warm dashboard GET too (costs about half its speed)."
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _parse_cors_origins(cls, value: object) -> tuple[str, ...]:
        return parse_origins(value)

    def oauth_clients(self) -> OAuthClients:
        """The platforms' OAuth settings, on the simulator when ``platform_sim_url`` is set
        (values set explicitly under ``CMIS_OAUTH__*`` still win)."""
        if self.platform_sim_url is None:
            return self.oauth
        overrides = self.oauth.model_dump(exclude_unset=True)
        return OAuthClients.pointing_at(self.platform_sim_url, **overrides)

    @model_validator(mode="after")
    def _refuse_development_conveniences_in_production(self) -> DashboardSettings:
        conveniences = (
            (
                self.benchmark_routes,
                "CMIS_BENCHMARK_ROUTES serves dashboards without authentication",
            ),
            (self.platform_sim_url, "CMIS_PLATFORM_SIM_URL points OAuth at the platform simulator"),
        )
        for enabled, what in conveniences:
            if enabled and not self.is_development:
                raise ValueError(
                    f"{what}; it is accepted only with CMIS_ENVIRONMENT=development or test"
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
            "oauth_return_urls": len(self.oauth_return_urls),
        }
