"""CORS from an explicit allow-list: real preflight requests (OPTIONS with Origin and
Access-Control-Request-Method/Headers) from an allowed and a refused origin, the headers a
browser may read, and no CORS at all by default."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from opentelemetry.sdk.trace import TracerProvider

from cmis_dashboard_api.app import create_app
from cmis_dashboard_api.settings import DashboardSettings
from cmis_shared.settings import CmisSettings
from tests.integration.dashboard_api.conftest import Tenant, dashboard_settings, new_tenant

pytestmark = pytest.mark.integration

ALLOWED = "https://app.example.com"
REFUSED = "https://evil.example.net"


@pytest.fixture
def cors_settings(settings: CmisSettings) -> DashboardSettings:
    return dashboard_settings(
        settings, cors_origins=f"{ALLOWED}, http://localhost:5173", refresh_rate_limit=1
    )


@pytest.fixture
async def cors_app(
    cors_settings: DashboardSettings, tracer_provider: TracerProvider
) -> AsyncIterator[FastAPI]:
    application = create_app(cors_settings, tracer_provider)
    async with LifespanManager(application, startup_timeout=30, shutdown_timeout=30):
        yield application


@pytest.fixture
async def cors_client(cors_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=cors_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
        yield http


def _preflight(origin: str, method: str = "POST") -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "authorization, content-type",
    }


async def test_preflight_from_an_allowed_origin_is_answered(
    cors_app: FastAPI, cors_client: httpx.AsyncClient
) -> None:
    tenant = await new_tenant(cors_app.state.services)
    url = f"/api/orgs/{tenant.org_id}/kpis"
    response = await cors_client.options(url, headers=_preflight(ALLOWED))
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED
    allowed_headers = response.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed_headers and "content-type" in allowed_headers
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "access-control-allow-credentials" not in response.headers  # bearer, no cookies
    assert response.headers["vary"].startswith("Origin")  # caches keep one answer per origin
    login = await cors_client.options(
        "/api/auth/login", headers=_preflight("http://localhost:5173")
    )
    assert login.headers["access-control-allow-origin"] == "http://localhost:5173"


async def test_preflight_from_a_refused_origin_gets_no_cors_headers(
    cors_app: FastAPI, cors_client: httpx.AsyncClient
) -> None:
    tenant = await new_tenant(cors_app.state.services)
    response = await cors_client.options(
        f"/api/orgs/{tenant.org_id}/kpis", headers=_preflight(REFUSED)
    )
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers
    simple = await cors_client.get(
        f"/api/orgs/{tenant.org_id}/dashboard", headers={**tenant.headers, "Origin": REFUSED}
    )
    assert simple.status_code == 200  # served, but the browser will not hand it to the page
    assert "access-control-allow-origin" not in simple.headers


async def test_a_browser_can_read_retry_after_and_the_error_body(
    cors_app: FastAPI, cors_client: httpx.AsyncClient
) -> None:
    tenant: Tenant = await new_tenant(cors_app.state.services)
    headers = {**tenant.headers, "Origin": ALLOWED}
    url = f"/api/orgs/{tenant.org_id}/dashboard/refresh"
    assert (await cors_client.post(url, headers=headers)).status_code == 200
    limited = await cors_client.post(url, headers=headers)
    assert limited.status_code == 429
    assert limited.headers["access-control-allow-origin"] == ALLOWED
    exposed = limited.headers["access-control-expose-headers"].lower()
    assert "retry-after" in exposed and "location" in exposed
    dashboard = f"/api/orgs/{tenant.org_id}/dashboard"
    unauthorized = await cors_client.get(dashboard, headers={"Origin": ALLOWED})
    assert unauthorized.status_code == 401  # the page can read why, and sign in again
    assert unauthorized.headers["access-control-allow-origin"] == ALLOWED
    assert "www-authenticate" in exposed


async def test_no_origin_is_allowed_by_default(client: httpx.AsyncClient, tenant: Tenant) -> None:
    url = f"/api/orgs/{tenant.org_id}/kpis"
    preflight = await client.options(url, headers=_preflight(ALLOWED))
    assert "access-control-allow-origin" not in preflight.headers
    simple = await client.get(url, headers={**tenant.headers, "Origin": ALLOWED})
    assert simple.status_code == 200 and "access-control-allow-origin" not in simple.headers
