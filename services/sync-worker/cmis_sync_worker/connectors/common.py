"""What every connector shares: its view of the pooled client and its settings, the refusal
of platforms without a refresh flow, the quoting of ids in URLs, and the last resort of HTTP
status classification."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
from pydantic import SecretStr

from cmis_shared.events import Platform

from .base import (
    AuthRevoked,
    ConfigError,
    ConnectorError,
    Credentials,
    PlatformTimeout,
    TransientPlatformError,
)
from .config import PlatformEndpoints
from .oauth2 import refresh_with_grant
from .transport import PlatformHttp


class ConnectorBase:
    platform: Platform
    supports_refresh: bool = False
    # Why a refresh is impossible (platforms without a refresh flow).
    no_refresh_reason: str = "tokens cannot be refreshed; the user has to reconnect"

    def __init__(self, client: httpx.AsyncClient, endpoints: PlatformEndpoints, **kw: Any) -> None:
        self._http = PlatformHttp(client, self.platform, endpoints, **kw)
        self._endpoints = endpoints
        self.default_lookback_days = endpoints.lookback_for(self.platform)
        self.api_version = endpoints.api_version(self.platform)
        self._base = self.api_base(endpoints)

    def api_base(self, endpoints: PlatformEndpoints) -> str:
        """The versioned API root the connector's paths hang from (empty: full URLs)."""
        return ""

    async def refresh_token(self, credentials: Credentials) -> Credentials:
        raise AuthRevoked(self.platform, self.no_refresh_reason)


class OAuth2Connector(ConnectorBase):
    """A platform that refreshes tokens with the OAuth 2.0 refresh-token grant."""

    supports_refresh = True

    def token_client(self) -> tuple[str, str, SecretStr]:
        """The token URL, client id and client secret of the platform's OAuth app."""
        raise NotImplementedError

    async def refresh_token(self, credentials: Credentials) -> Credentials:
        token_url, client_id, client_secret = self.token_client()
        return await refresh_with_grant(
            self._http, token_url, client_id, client_secret.get_secret_value(), credentials
        )


def segment(value: str) -> str:
    """One URL path segment or query value from an id: every reserved character quoted, so
    an id can never add a path level, a query or a fragment (ids are validated before a sync
    starts too: :mod:`cmis_sync_worker.domain.platform_ids`)."""
    return quote(value, safe="")


def error_for_status(platform: Platform, status: int, message: str) -> ConnectorError:
    """A failure the platform-specific reading did not recognize: 504 is a timeout, other
    5xx are transient, anything else is a request we must not repeat."""
    if status == 504:
        return PlatformTimeout(platform, message)
    if status >= 500:
        return TransientPlatformError(platform, message)
    return ConfigError(platform, message)
