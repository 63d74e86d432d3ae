"""What every connector shares: its view of the pooled client and its settings, the refusal
of platforms without a refresh flow, the quoting of ids in URLs, and the last resort of HTTP
status classification."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

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

    async def refresh_token(self, credentials: Credentials) -> Credentials:
        raise AuthRevoked(self.platform, self.no_refresh_reason)


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
