"""Degrade, never crash: with PostgreSQL or Redis unreachable the API answers what it can
(the dashboard from its stored view) and otherwise 503 + Retry-After in the one error shape."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy.engine import make_url

from cmis_dashboard_api.app import create_app
from cmis_dashboard_api.bootstrap import Services
from cmis_dashboard_api.settings import DashboardSettings
from cmis_shared.db.engine import create_engine, create_session_factory
from cmis_shared.settings import CmisSettings
from tests.integration.dashboard_api.conftest import dashboard_settings, new_tenant
from tests.integration.dashboard_api.test_dashboard_view import connect
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

CLOSED_PORT = 1  # nothing listens there: connections are refused at once


def _assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == "7"
    error = response.json()["error"]
    assert set(error) == {"code", "message", "details"}
    assert error["code"] == "unavailable"
    assert error["details"] == {"retry_after_seconds": 7}


async def _client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


@pytest.fixture
def degrade_settings(settings: CmisSettings) -> DashboardSettings:
    return dashboard_settings(
        settings, unavailable_retry_after_seconds=7, auth_cache_seconds=300, redis_timeout_seconds=1
    )


@pytest.fixture
async def app_without_redis(
    degrade_settings: DashboardSettings, tracer_provider: TracerProvider
) -> AsyncIterator[FastAPI]:
    unreachable = degrade_settings.model_copy(
        update={"redis_url": f"redis://127.0.0.1:{CLOSED_PORT}/0"}
    )
    application = create_app(unreachable, tracer_provider)
    async with LifespanManager(application, startup_timeout=30, shutdown_timeout=30):
        yield application


async def test_redis_unreachable_answers_503_for_trigger_and_dashboard(
    app_without_redis: FastAPI,
) -> None:
    services: Services = app_without_redis.state.services
    tenant = await new_tenant(services)
    integration_id = await connect(services, tenant)
    async with await _client(app_without_redis) as client:
        trigger = await client.post(
            f"/api/orgs/{tenant.org_id}/sync/integrations/{integration_id}/trigger",
            headers=tenant.headers,
        )
        dashboard = await client.get(f"/api/orgs/{tenant.org_id}/dashboard", headers=tenant.headers)
        status = await client.get(f"/api/orgs/{tenant.org_id}/sync/status", headers=tenant.headers)
    _assert_unavailable(trigger)
    _assert_unavailable(dashboard)
    assert status.status_code == 200  # PostgreSQL alone serves it


async def test_postgres_unreachable_serves_the_stored_dashboard_and_503_elsewhere(
    degrade_settings: DashboardSettings, tracer_provider: TracerProvider
) -> None:
    application = create_app(degrade_settings, tracer_provider)
    async with LifespanManager(application, startup_timeout=30, shutdown_timeout=30):
        services: Services = application.state.services
        tenant = await new_tenant(services)
        await connect(services, tenant)
        dashboard_url = f"/api/orgs/{tenant.org_id}/dashboard"
        async with await _client(application) as client:
            # integration.connected arrives through the outbox and rewrites the stored view:
            # take the stored view once it has been applied, so nothing changes it below.
            await eventually(lambda: _shows_account(client, dashboard_url, tenant.headers))
            stored = await client.get(dashboard_url, headers=tenant.headers)  # built, cached
            assert stored.status_code == 200
            url = make_url(degrade_settings.database_url).set(port=CLOSED_PORT)
            unreachable = degrade_settings.model_copy(
                update={"database_url": url.render_as_string(hide_password=False)}
            )
            engine = create_engine(unreachable)
            sessions = services.runtime.sessions
            services.runtime.sessions = create_session_factory(engine)
            try:
                served = await client.get(dashboard_url, headers=tenant.headers)
                status = await client.get(
                    f"/api/orgs/{tenant.org_id}/sync/status", headers=tenant.headers
                )
                trigger = await client.post(
                    f"/api/orgs/{tenant.org_id}/sync/trigger", headers=tenant.headers
                )
                kpis = await client.get(f"/api/orgs/{tenant.org_id}/kpis", headers=tenant.headers)
            finally:
                services.runtime.sessions = sessions
                await engine.dispose()
    assert served.status_code == 200
    assert served.content == stored.content
    for response in (status, trigger, kpis):
        _assert_unavailable(response)


async def _shows_account(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> bool:
    response = await client.get(url, headers=headers)
    return response.status_code == 200 and response.json()["connected_accounts"]["total"] == 1
