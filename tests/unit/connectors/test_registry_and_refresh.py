"""The registry serves every platform through one interface; refresh happens when needed."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cmis_shared.events import Platform
from cmis_sync_worker.connectors.base import Credentials, PlatformConnector, TokenExpired
from cmis_sync_worker.connectors.config import PlatformEndpoints
from cmis_sync_worker.connectors.refresh import call_with_refresh, needs_refresh
from cmis_sync_worker.connectors.registry import build_connectors
from cmis_sync_worker.connectors.transport import make_http_client

pytestmark = pytest.mark.unit
NOW = datetime(2024, 5, 1, 12, tzinfo=UTC)


async def test_every_platform_has_a_connector() -> None:
    endpoints = PlatformEndpoints()
    async with make_http_client(endpoints) as http:
        connectors = build_connectors(http, endpoints)
    assert set(connectors) == set(Platform)
    for platform, connector in connectors.items():
        assert connector.platform is platform
        assert connector.default_lookback_days == endpoints.lookback_for(platform)
    assert {p for p, c in connectors.items() if c.supports_refresh} == {
        Platform.GOOGLE,
        Platform.LINKEDIN,
    }


def test_defaults_point_at_the_real_platforms_and_the_simulator_override_at_one_host() -> None:
    real = PlatformEndpoints()
    assert real.google_ads_base_url.startswith("https://googleads.googleapis.com")
    assert real.lookback_for(Platform.META) == 28
    sim = PlatformEndpoints.pointing_at("http://127.0.0.1:8900/")
    assert sim.meta_graph_base_url == "http://127.0.0.1:8900/meta/"
    assert "secret" not in repr(sim.google_client_secret)


def test_client_timeouts_are_deliberate() -> None:
    client = make_http_client(PlatformEndpoints(read_timeout_s=7))
    assert client.timeout.read == 7 and client.timeout.connect == 5


class FakeConnector:
    platform = Platform.GOOGLE
    default_lookback_days = 14
    supports_refresh = True

    def __init__(self) -> None:
        self.refreshed = 0

    async def refresh_token(self, credentials: Credentials) -> Credentials:
        self.refreshed += 1
        return replace(
            credentials, access_token=f"fresh-{self.refreshed}", expires_at=NOW + timedelta(hours=1)
        )

    async def fetch_campaigns(self, *a: Any) -> list[Any]:
        return []

    async def fetch_daily_metrics(self, *a: Any) -> list[Any]:
        return []

    async def fetch_posts(self, *a: Any) -> list[Any]:
        return []


async def test_refreshes_before_expiry() -> None:
    fake = FakeConnector()
    creds = Credentials("old", "refresh", expires_at=NOW + timedelta(minutes=1))
    assert needs_refresh(creds, NOW)

    async def call(c: Credentials) -> str:
        return c.access_token

    connector: PlatformConnector = fake
    result, used = await call_with_refresh(connector, creds, call, NOW)
    assert result == "fresh-1" and used.refresh_token == "refresh"


async def test_refreshes_once_after_token_expired() -> None:
    fake = FakeConnector()

    async def call(c: Credentials) -> str:
        if c.access_token == "old":
            raise TokenExpired(Platform.GOOGLE, "expired")
        return c.access_token

    result, _ = await call_with_refresh(fake, Credentials("old", "refresh"), call, NOW)
    assert (result, fake.refreshed) == ("fresh-1", 1)


def test_credentials_never_show_tokens_in_repr() -> None:
    assert "sekrit" not in repr(
        Credentials("sekrit", "sekrit-refresh", extra={"token_secret": "sekrit"})
    )
