"""Tokens expire and can be revoked (open streams included), expensive routes and failed
authentications are rate limited, live streams are capped, and the start-up line names the
protections."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy import text
from structlog.testing import capture_logs

from cmis_dashboard_api import admin, admin_cli
from cmis_dashboard_api.app import create_app
from cmis_dashboard_api.bootstrap import Services
from cmis_dashboard_api.settings import DashboardSettings
from cmis_shared.settings import CmisSettings
from tests.integration.dashboard_api.conftest import Tenant, dashboard_settings, new_tenant
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


async def _token_id(services: Services, tenant: Tenant) -> uuid.UUID:
    async with services.runtime.sessions() as session:
        tokens = await session.execute(
            text("SELECT id FROM api_tokens WHERE user_id = :user"), {"user": tenant.user_id}
        )
        return tokens.scalar_one()  # type: ignore[no-any-return]


async def test_an_expired_token_gets_401(
    client: httpx.AsyncClient, services: Services, tenant: Tenant
) -> None:
    async with services.runtime.sessions() as session, session.begin():
        await session.execute(
            text(
                "UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE user_id = :u"
            ),
            {"u": tenant.user_id},
        )
    response = await client.get(f"/api/orgs/{tenant.org_id}/dashboard", headers=tenant.headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


async def test_a_new_token_expires_after_the_configured_lifetime(
    services: Services, tenant: Tenant
) -> None:
    async with services.runtime.sessions() as session:
        days = await session.scalar(
            text("SELECT expires_at - created_at FROM api_tokens WHERE user_id = :u"),
            {"u": tenant.user_id},
        )
    assert days.days == 30


async def test_a_revoked_token_gets_401_within_the_cache_period(
    client: httpx.AsyncClient, services: Services, tenant: Tenant
) -> None:
    url = f"/api/orgs/{tenant.org_id}/dashboard"
    assert (await client.get(url, headers=tenant.headers)).status_code == 200
    token_id = await _token_id(services, tenant)
    async with services.runtime.sessions() as session, session.begin():
        revoked = await admin.revoke_token(session, str(token_id)[:8])
    assert revoked is not None and revoked.revoked_at is not None

    async def refused() -> bool:
        return (await client.get(url, headers=tenant.headers)).status_code == 401

    await eventually(refused)  # the auth cache (0.5 s here) lets it through a little longer


async def test_admin_cli_lists_and_revokes_tokens_without_printing_them(
    services: Services,
    tenant: Tenant,
    dash_settings: DashboardSettings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CMIS_DATABASE_URL", dash_settings.database_url)
    email = (await services.auth.authenticate(tenant.token)).email  # type: ignore[union-attr]
    # The CLI runs its own event loop: give it a thread, as a shell would a process.
    await asyncio.to_thread(admin_cli.main, ["list-tokens", "--email", email])
    listing = capsys.readouterr().out
    token_id = str(await _token_id(services, tenant))
    assert token_id in listing and email in listing and tenant.token not in listing

    await asyncio.to_thread(admin_cli.main, ["revoke-token", token_id])
    revoked = capsys.readouterr().out
    assert revoked.startswith("revoked " + token_id) and tenant.token not in revoked
    services.auth.forget()
    assert await services.auth.authenticate(tenant.token) is None


async def test_an_open_stream_closes_after_its_token_is_revoked(
    base_url: str, services: Services, tenant: Tenant
) -> None:
    url = f"{base_url}/api/orgs/{tenant.org_id}/events"
    async with (
        httpx.AsyncClient(timeout=30) as http,
        http.stream("GET", url, headers=tenant.headers) as response,
    ):
        assert response.status_code == 200
        lines = response.aiter_lines()
        assert "ready" in " ".join([await anext(lines) for _ in range(3)])  # id, event, data
        async with services.runtime.sessions() as session, session.begin():
            await admin.revoke_token(session, str(await _token_id(services, tenant)))

        async def drain() -> None:
            async for _ in lines:
                pass

        await asyncio.wait_for(drain(), 60)  # the server ended the stream
    assert services.streams.open == 0


async def test_an_open_stream_closes_when_the_user_leaves_the_org(
    base_url: str, services: Services, tenant: Tenant
) -> None:
    url = f"{base_url}/api/orgs/{tenant.org_id}/events"
    async with (
        httpx.AsyncClient(timeout=30) as http,
        http.stream("GET", url, headers=tenant.headers) as response,
    ):
        lines = response.aiter_lines()
        assert "ready" in " ".join([await anext(lines) for _ in range(3)])  # id, event, data
        async with services.runtime.sessions() as session, session.begin():
            await session.execute(
                text("DELETE FROM org_members WHERE user_id = :u"), {"u": tenant.user_id}
            )

        async def drain() -> None:
            async for _ in lines:
                pass

        await asyncio.wait_for(drain(), 60)


@pytest.fixture
def limited_settings(settings: CmisSettings) -> DashboardSettings:
    return dashboard_settings(
        settings,
        refresh_rate_limit=2,
        statistics_rate_limit=2,
        failed_auth_limit=3,
        sse_max_per_user=1,
        auth_cache_seconds=0.5,
    )


@pytest.fixture
async def limited(
    limited_settings: DashboardSettings, tracer_provider: TracerProvider
) -> AsyncIterator[FastAPI]:
    application = create_app(limited_settings, tracer_provider)
    with capture_logs() as logs:
        async with LifespanManager(application, startup_timeout=30, shutdown_timeout=30):
            application.state.startup_logs = list(logs)
            yield application


@pytest.fixture
async def limited_client(limited: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=limited)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


def test_the_startup_line_names_the_protections(limited: FastAPI) -> None:
    lines = [line for line in limited.state.startup_logs if line["event"] == "protections"]
    assert len(lines) == 1
    line = lines[0]
    assert line["service"] == "dashboard-api" and line["environment"] == "test"
    assert line["encryption_key_source"] == "development"
    assert line["benchmark_routes"] is False and line["cors_origins"] == "none"
    assert line["api_access_lifetime_days"] == 30


@pytest.mark.parametrize(
    ("method", "route"), [("POST", "dashboard/refresh"), ("GET", "sync/statistics?days=365")]
)
async def test_refresh_and_statistics_are_rate_limited_per_org(
    limited: FastAPI, limited_client: httpx.AsyncClient, method: str, route: str
) -> None:
    tenant = await new_tenant(limited.state.services)
    other = await new_tenant(limited.state.services)
    url = f"/api/orgs/{tenant.org_id}/{route}"
    for _ in range(2):
        assert (await limited_client.request(method, url, headers=tenant.headers)).is_success
    refused = await limited_client.request(method, url, headers=tenant.headers)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.json()["error"]["code"] == "rate_limited"
    other_url = f"/api/orgs/{other.org_id}/{route}"
    assert (await limited_client.request(method, other_url, headers=other.headers)).is_success


async def test_failed_authentications_are_rate_limited_per_address(
    limited: FastAPI, limited_client: httpx.AsyncClient
) -> None:
    tenant = await new_tenant(limited.state.services)
    url = f"/api/orgs/{tenant.org_id}/dashboard"
    for attempt in range(3):
        bad = {"Authorization": f"Bearer cmis_guess{attempt}"}
        assert (await limited_client.get(url, headers=bad)).status_code == 401
    refused = await limited_client.get(url, headers={"Authorization": "Bearer cmis_guess9"})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.json()["error"]["code"] == "rate_limited"


async def test_live_streams_are_capped_per_user(limited: FastAPI) -> None:
    services: Services = limited.state.services
    tenant = await new_tenant(services)
    slot = services.streams.acquire(tenant.user_id)  # the user's one stream, already open
    assert slot is not None
    transport = httpx.ASGITransport(app=limited)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        refused = await http.get(f"/api/orgs/{tenant.org_id}/events", headers=tenant.headers)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    slot.release()
