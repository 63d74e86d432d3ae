"""Where each platform lives and how hard we may lean on it.

Defaults point at the REAL platforms; tests, the demo and benchmarks point every URL at the
platform simulator with :meth:`PlatformEndpoints.pointing_at`. API versions are settings
because every platform sunsets versions (and renames fields when it does); their defaults and
announced ends of life are :mod:`cmis_shared.api_versions`, and ``api_sunset_dates`` adds
dates announced since (``CMIS_PLATFORMS__API_SUNSET_DATES='{"meta": {"v26.0": "2027-09-01"}}'``).
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from cmis_shared.api_versions import DEFAULT_API_VERSIONS, ApiVersion, sunset_of
from cmis_shared.events import Platform

# Attribution windows: platforms keep revising recent days, so each sync re-reads this many.
DEFAULT_LOOKBACK_DAYS: dict[Platform, int] = {
    Platform.GOOGLE: 14,
    Platform.META: 28,
    Platform.TIKTOK: 7,
    Platform.LINKEDIN: 7,
    Platform.TWITTER: 7,
}


class PlatformEndpoints(BaseModel):
    model_config = ConfigDict(frozen=True)

    # Google Ads (REST)
    google_ads_base_url: str = "https://googleads.googleapis.com/"
    google_ads_api_version: str = DEFAULT_API_VERSIONS[Platform.GOOGLE]
    google_token_url: str = "https://oauth2.googleapis.com/token"
    google_developer_token: SecretStr = SecretStr("")
    google_login_customer_id: str | None = None
    google_client_id: str = ""
    google_client_secret: SecretStr = SecretStr("")
    # A metrics range longer than this is read through googleAds:searchStream (one call
    # streaming every row) instead of pages of googleAds:search.
    google_search_max_days: int = 31

    # Meta Graph API (Facebook pages, Instagram, ads)
    meta_graph_base_url: str = "https://graph.facebook.com/"
    meta_api_version: str = DEFAULT_API_VERSIONS[Platform.META]
    meta_conversion_action_type: str = "purchase"
    meta_page_size: int = 500
    # Insights over at most this many days are read synchronously; a longer range goes
    # through asynchronous report runs of at most meta_report_window_days each (a run that
    # fails or outlasts meta_report_timeout_s is split into halves).
    meta_insights_window_days: int = 30
    meta_report_window_days: int = 92
    meta_report_poll_initial_s: float = 0.5  # doubling up to meta_report_poll_max_s
    meta_report_poll_max_s: float = 10.0
    meta_report_timeout_s: float = 300.0

    # TikTok: Marketing API (ads) and the Open API (organic videos) are separate hosts.
    tiktok_business_base_url: str = "https://business-api.tiktok.com/open_api/"
    tiktok_api_version: str = DEFAULT_API_VERSIONS[Platform.TIKTOK]
    tiktok_open_base_url: str = "https://open.tiktokapis.com/v2/"
    tiktok_page_size: int = 1000
    tiktok_report_window_days: int = 30

    # LinkedIn Marketing API (versioned "rest" endpoints)
    linkedin_base_url: str = "https://api.linkedin.com/rest/"
    linkedin_version: str = DEFAULT_API_VERSIONS[Platform.LINKEDIN]
    linkedin_token_url: str = "https://www.linkedin.com/oauth/v2/accessToken"
    linkedin_client_id: str = ""
    linkedin_client_secret: SecretStr = SecretStr("")
    linkedin_page_size: int = 100
    # adAnalytics has no pagination and answers at most 15,000 elements (campaigns x days):
    # windows of 90 days fit 166 campaigns; a fuller account is answered "too many" (or a
    # full answer, possibly cut) and the window is halved.
    linkedin_analytics_window_days: int = 90
    linkedin_analytics_max_elements: int = 15_000

    # X: Ads API (OAuth 1.0a) and API v2 (organic posts)
    x_ads_base_url: str = "https://ads-api.x.com/"
    x_ads_api_version: str = DEFAULT_API_VERSIONS[Platform.TWITTER]
    x_api_base_url: str = "https://api.x.com/2/"
    x_consumer_key: str = ""
    x_consumer_secret: SecretStr = SecretStr("")
    x_page_size: int = 200
    x_stats_window_days: int = 7

    # Transport: deliberate timeouts; a platform that hangs must not hold a worker slot.
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 30.0
    write_timeout_s: float = 10.0
    pool_timeout_s: float = 10.0
    max_connections: int = 200
    max_keepalive_connections: int = 100

    # Guards and manners
    max_pages: int = Field(default=500, ge=1)
    lookback_days: dict[Platform, int] = Field(default_factory=lambda: dict(DEFAULT_LOOKBACK_DAYS))
    usage_slowdown_threshold: float = Field(default=0.9, gt=0, le=1)
    usage_slowdown_max_s: float = Field(default=10.0, ge=0)

    # Ends of life announced after cmis_shared.api_versions was last updated, per platform
    # and version; they win over its table.
    api_sunset_dates: dict[Platform, dict[str, date]] = Field(default_factory=dict)

    def api_version(self, platform: Platform) -> ApiVersion:
        """The version the platform's connector speaks, with its announced end of life."""
        version = {
            Platform.GOOGLE: self.google_ads_api_version,
            Platform.META: self.meta_api_version,
            Platform.TIKTOK: self.tiktok_api_version,
            Platform.LINKEDIN: self.linkedin_version,
            Platform.TWITTER: self.x_ads_api_version,
        }[platform]
        return ApiVersion(platform, version, sunset_of(platform, version, self.api_sunset_dates))

    def lookback_for(self, platform: Platform) -> int:
        return self.lookback_days.get(platform, DEFAULT_LOOKBACK_DAYS[platform])

    @classmethod
    def pointing_at(cls, simulator_url: str, **overrides: object) -> PlatformEndpoints:
        """Every platform URL on one platform simulator (development and tests only)."""
        base = simulator_url.rstrip("/")
        urls: dict[str, object] = {
            "google_ads_base_url": f"{base}/google/",
            "google_token_url": f"{base}/google/token",
            "google_developer_token": SecretStr("sim-developer-token"),
            "meta_graph_base_url": f"{base}/meta/",
            "tiktok_business_base_url": f"{base}/tiktok/open_api/",
            "tiktok_open_base_url": f"{base}/tiktok/open/v2/",
            "linkedin_base_url": f"{base}/linkedin/rest/",
            "linkedin_token_url": f"{base}/linkedin/oauth/v2/accessToken",
            "x_ads_base_url": f"{base}/twitter/ads/",
            "x_api_base_url": f"{base}/twitter/api/2/",
        }
        urls.update(overrides)
        return cls.model_validate(urls)
