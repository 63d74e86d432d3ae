"""Token refresh exercised for real against the simulator's token endpoints, and usage
headers slowing a connector down before it is throttled."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from cmis_shared.events import Platform
from cmis_sync_worker.connectors.base import AuthRevoked, Credentials, TokenExpired
from cmis_sync_worker.connectors.meta import MetaConnector
from cmis_sync_worker.connectors.refresh import call_with_refresh
from cmis_sync_worker.connectors.registry import build_connectors
from cmis_sync_worker.connectors.twitter import TwitterConnector
from tests.support.platform_sim import PlatformSim

from .conftest import CREDENTIALS, SleepRecorder, case_for

pytestmark = pytest.mark.integration
REFRESHABLE = [Platform.GOOGLE, Platform.LINKEDIN]


@pytest.mark.parametrize("platform", REFRESHABLE)
async def test_expired_token_is_refreshed_and_the_call_succeeds(
    platform: Platform, platform_sim: PlatformSim, http: httpx.AsyncClient
) -> None:
    case = case_for(platform, platform_sim.dataset)
    platform_sim.add_fault(kind="token_expired", platform=platform.value)
    connector = build_connectors(http, platform_sim.endpoints)[platform]
    with pytest.raises(TokenExpired):
        await connector.fetch_campaigns(case.account, CREDENTIALS)

    async def call(creds: Credentials) -> int:
        return len(await connector.fetch_campaigns(case.account, creds))

    count, used = await call_with_refresh(connector, CREDENTIALS, call, datetime.now(UTC))
    assert count == 8
    assert (
        used.access_token.startswith(f"sim-{platform.value}-exp")
        and used.access_token != CREDENTIALS.access_token
    )
    assert used.refresh_token == CREDENTIALS.refresh_token  # never wiped
    assert used.expires_at is not None and used.expires_at > datetime.now(UTC)
    assert platform_sim.calls()["by_route"][f"{platform.value}.token"] == 1


@pytest.mark.parametrize("platform", REFRESHABLE)
async def test_revoked_grant_refuses_refresh(
    platform: Platform, platform_sim: PlatformSim, http: httpx.AsyncClient
) -> None:
    platform_sim.add_fault(kind="auth_revoked", platform=platform.value)
    connector = build_connectors(http, platform_sim.endpoints)[platform]
    with pytest.raises(AuthRevoked, match="refresh refused"):
        await connector.refresh_token(CREDENTIALS)


async def test_token_with_past_expiry_is_expired_without_any_fault(
    platform_sim: PlatformSim, http: httpx.AsyncClient
) -> None:
    case = case_for(Platform.GOOGLE, platform_sim.dataset)
    stale = Credentials(
        "sim-demo-exp1000000000", "sim-refresh", expires_at=datetime(2001, 9, 9, tzinfo=UTC)
    )
    connector = build_connectors(http, platform_sim.endpoints)[Platform.GOOGLE]
    with pytest.raises(TokenExpired):
        await connector.fetch_campaigns(case.account, stale)
    count, used = await call_with_refresh(
        connector, stale, lambda c: connector.fetch_campaigns(case.account, c), datetime.now(UTC)
    )
    assert len(count) == 8 and used.access_token != stale.access_token


@pytest.mark.parametrize("platform", [Platform.META, Platform.TIKTOK, Platform.TWITTER])
async def test_platforms_without_refresh_ask_for_reconnection(
    platform: Platform, platform_sim: PlatformSim, http: httpx.AsyncClient
) -> None:
    connector = build_connectors(http, platform_sim.endpoints)[platform]
    assert not connector.supports_refresh
    with pytest.raises(AuthRevoked):
        await connector.refresh_token(CREDENTIALS)


@pytest.mark.parametrize("connector_type", [MetaConnector, TwitterConnector])
async def test_high_usage_headers_slow_the_connector_down(
    connector_type: type, platform_sim: PlatformSim, http: httpx.AsyncClient
) -> None:
    platform = connector_type(http, platform_sim.endpoints).platform
    case = case_for(platform, platform_sim.dataset)
    calm, busy = SleepRecorder(), SleepRecorder()
    await connector_type(http, platform_sim.endpoints, sleep=calm).fetch_campaigns(
        case.account, CREDENTIALS
    )
    assert calm.delays == []
    platform_sim.add_fault(kind="high_usage", platform=platform.value)
    await connector_type(http, platform_sim.endpoints, sleep=busy).fetch_campaigns(
        case.account, CREDENTIALS
    )
    assert busy.delays and all(
        0 < d <= platform_sim.endpoints.usage_slowdown_max_s for d in busy.delays
    )
