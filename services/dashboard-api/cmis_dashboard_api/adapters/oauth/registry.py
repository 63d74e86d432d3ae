"""The five platforms' OAuth adapters and the policy of the connect flow, from settings."""

from __future__ import annotations

from datetime import timedelta

import httpx

from cmis_dashboard_api.adapters.oauth.google import GoogleOAuth
from cmis_dashboard_api.adapters.oauth.http import OAuthHttp
from cmis_dashboard_api.adapters.oauth.linkedin import LinkedInOAuth
from cmis_dashboard_api.adapters.oauth.meta import MetaOAuth
from cmis_dashboard_api.adapters.oauth.tiktok import TikTokOAuth
from cmis_dashboard_api.adapters.oauth.twitter import TwitterOAuth
from cmis_dashboard_api.domain.oauth_state import state_key_from
from cmis_dashboard_api.handlers.oauth import OAuthPolicy
from cmis_dashboard_api.ports import OAuthPlatform
from cmis_dashboard_api.settings import DashboardSettings


def oauth_platforms(
    client: httpx.AsyncClient, settings: DashboardSettings
) -> dict[str, OAuthPlatform]:
    http = OAuthHttp(client)
    adapters: list[OAuthPlatform] = [
        cls(http, settings.oauth_clients())
        for cls in (GoogleOAuth, MetaOAuth, TikTokOAuth, LinkedInOAuth, TwitterOAuth)
    ]
    return {adapter.platform: adapter for adapter in adapters}


def oauth_policy(settings: DashboardSettings) -> OAuthPolicy:
    configured = settings.oauth_state_key
    key = (
        configured.get_secret_value().encode()
        if configured is not None
        else state_key_from(settings.encryption_keys.get_secret_value().split(",")[0].strip())
    )
    return OAuthPolicy(
        state_key=key,
        public_base_url=settings.oauth_public_base_url,
        return_urls=tuple(settings.oauth_return_urls),
        state_lifetime=timedelta(seconds=settings.oauth_state_ttl_seconds),
        pending_lifetime=timedelta(seconds=settings.oauth_pending_ttl_seconds),
    )
