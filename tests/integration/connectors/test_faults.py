"""Every simulator fault class maps to the right typed error, per platform."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from cmis_shared.events import Platform
from cmis_sync_worker.connectors.base import (
    AuthRevoked,
    ConnectorError,
    InvalidResponse,
    PlatformTimeout,
    QuotaExhausted,
    RateLimited,
    TokenExpired,
    TransientPlatformError,
)
from cmis_sync_worker.connectors.registry import build_connectors
from cmis_sync_worker.connectors.transport import make_http_client
from tests.support.platform_sim import END_DATE, PlatformSim

from .conftest import CREDENTIALS, case_for

pytestmark = pytest.mark.integration
G, M, T, L, X = Platform.GOOGLE, Platform.META, Platform.TIKTOK, Platform.LINKEDIN, Platform.TWITTER

# (platform, fault kind) -> (error type, retry_after the platform signalled)
MATRIX: list[tuple[Platform, str, type[ConnectorError], float | None]] = [
    (G, "rate_limit", RateLimited, 3.0),  # RESOURCE_EXHAUSTED with retryDelay "3s"
    (M, "rate_limit", RateLimited, 60.0),  # code 80004 + estimated_time_to_regain_access (minutes)
    (T, "rate_limit", RateLimited, None),  # code 40100 in an HTTP 200 envelope: no wait given
    (L, "rate_limit", RateLimited, 3.0),  # 429 + Retry-After
    (X, "rate_limit", RateLimited, 3.0),  # 429 + x-rate-limit-reset
    (L, "quota_exhausted", QuotaExhausted, None),  # DAY limit: wait until midnight UTC
    *[(p, "server_error", TransientPlatformError, None) for p in Platform],
    *[(p, "malformed_json", InvalidResponse, None) for p in Platform],
    *[(p, "schema_drift", InvalidResponse, None) for p in Platform],
    *[(p, "auth_revoked", AuthRevoked, None) for p in Platform],
    (G, "token_expired", TokenExpired, None),
    (M, "token_expired", TokenExpired, None),
    (T, "token_expired", TokenExpired, None),
    (L, "token_expired", TokenExpired, None),
    (X, "token_expired", AuthRevoked, None),  # OAuth 1.0a: a refused token was revoked
]


@pytest.mark.parametrize(
    ("platform", "kind", "error_type", "retry_after"),
    MATRIX,
    ids=lambda v: getattr(v, "value", getattr(v, "__name__", str(v))),
)
async def test_fault_maps_to_typed_error(
    platform: Platform,
    kind: str,
    error_type: type[ConnectorError],
    retry_after: float | None,
    platform_sim: PlatformSim,
    http: httpx.AsyncClient,
) -> None:
    case = case_for(platform, platform_sim.dataset)
    account = case.account.account_id
    platform_sim.add_fault(kind=kind, platform=platform.value, account=account, retry_after=3)
    connector = build_connectors(http, platform_sim.endpoints)[platform]
    with pytest.raises(ConnectorError) as caught:
        await connector.fetch_daily_metrics(
            case.account, CREDENTIALS, END_DATE - timedelta(days=2), END_DATE
        )
    error = caught.value
    assert type(error) is error_type, error
    assert error.platform is platform and error.platform_message
    if kind == "quota_exhausted":
        assert error.retry_after is not None and 0 < error.retry_after <= 86400
    elif retry_after is not None:
        assert error.retry_after == pytest.approx(retry_after, abs=1.5)
    assert CREDENTIALS.access_token not in str(error)


async def test_fault_scoped_to_one_account_leaves_others_alone(
    platform_sim: PlatformSim, http: httpx.AsyncClient
) -> None:
    hit, spared = case_for(M, platform_sim.dataset, 0), case_for(M, platform_sim.dataset, 1)
    platform_sim.add_fault(kind="server_error", platform="meta", account=hit.account.account_id)
    connector = build_connectors(http, platform_sim.endpoints)[M]
    assert await connector.fetch_campaigns(spared.account, CREDENTIALS)
    with pytest.raises(TransientPlatformError):
        await connector.fetch_campaigns(hit.account, CREDENTIALS)


async def test_n_times_then_success(platform_sim: PlatformSim, http: httpx.AsyncClient) -> None:
    case = case_for(G, platform_sim.dataset)
    platform_sim.add_fault(kind="server_error", platform="google", times=2, status=502)
    connector = build_connectors(http, platform_sim.endpoints)[G]
    for _ in range(2):
        with pytest.raises(TransientPlatformError):
            await connector.fetch_campaigns(case.account, CREDENTIALS)
    assert len(await connector.fetch_campaigns(case.account, CREDENTIALS)) == 8


async def test_call_pattern_fault_hits_only_matching_calls(
    platform_sim: PlatformSim, http: httpx.AsyncClient
) -> None:
    case = case_for(M, platform_sim.dataset)
    platform_sim.add_fault(kind="rate_limit", platform="meta", path_contains="insights")
    connector = build_connectors(http, platform_sim.endpoints)[M]
    assert await connector.fetch_campaigns(case.account, CREDENTIALS)
    with pytest.raises(RateLimited):
        await connector.fetch_daily_metrics(case.account, CREDENTIALS, END_DATE, END_DATE)


async def test_timeout_and_slow_answers(platform_sim: PlatformSim) -> None:
    endpoints = platform_sim.endpoints_with(read_timeout_s=0.3)
    case = case_for(L, platform_sim.dataset)
    async with make_http_client(endpoints) as client:
        connector = build_connectors(client, endpoints)[L]
        platform_sim.add_fault(kind="timeout", platform="linkedin", times=1)
        with pytest.raises(PlatformTimeout):
            await connector.fetch_campaigns(case.account, CREDENTIALS)
        platform_sim.add_fault(kind="slow", platform="linkedin", delay_ms=100, times=1)
        assert len(await connector.fetch_campaigns(case.account, CREDENTIALS)) == 8


async def test_connection_refused_is_transient(platform_sim: PlatformSim) -> None:
    from cmis_sync_worker.connectors.config import PlatformEndpoints
    from tests.support.ports import free_port

    endpoints = PlatformEndpoints.pointing_at(f"http://127.0.0.1:{free_port()}")
    async with make_http_client(endpoints) as client:
        with pytest.raises(TransientPlatformError) as caught:
            await build_connectors(client, endpoints)[T].fetch_campaigns(
                case_for(T, platform_sim.dataset).account, CREDENTIALS
            )
    assert caught.value.retryable and caught.value.error_class.value == "platform_error"
