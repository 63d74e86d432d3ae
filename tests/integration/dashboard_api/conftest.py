"""The dashboard API in-process (lifespan running: real PostgreSQL, RabbitMQ, Redis) and the
data a test needs: its own organizations, users and tokens."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
import uvicorn
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from opentelemetry.sdk.trace import TracerProvider

from cmis_dashboard_api import admin
from cmis_dashboard_api.app import create_app
from cmis_dashboard_api.bootstrap import Services
from cmis_dashboard_api.domain.roles import Role
from cmis_dashboard_api.settings import DashboardSettings
from cmis_shared.settings import CmisSettings
from tests.support.ports import free_port
from tests.support.waiting import eventually


def dashboard_settings(settings: CmisSettings, **overrides: object) -> DashboardSettings:
    values = settings.model_dump(exclude={"service_name"})
    return DashboardSettings(**{**values, **overrides})


@dataclass
class Tenant:
    org_id: uuid.UUID
    user_id: uuid.UUID
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def dash_settings(settings: CmisSettings) -> DashboardSettings:
    # The auth matrix sends dozens of bad tokens from one address: failures are not limited
    # here (test_security covers that limit with its own settings).
    return dashboard_settings(
        settings,
        trigger_rate_limit=1000,
        refresh_rate_limit=1000,
        statistics_rate_limit=1000,
        auth_cache_seconds=0.5,
        failed_auth_limit=100_000,
    )


@pytest.fixture
async def app(
    dash_settings: DashboardSettings, tracer_provider: TracerProvider
) -> AsyncIterator[FastAPI]:
    application = create_app(dash_settings, tracer_provider)
    async with LifespanManager(application, startup_timeout=30, shutdown_timeout=30):
        yield application


@pytest.fixture
def services(app: FastAPI) -> Services:
    return app.state.services  # type: ignore[no-any-return]


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


async def new_tenant(services: Services, name: str = "Acme", role: str = Role.ADMIN) -> Tenant:
    async with services.runtime.sessions() as session, session.begin():
        org = await admin.create_organization(session, f"{name} {uuid.uuid4().hex[:6]}", "UTC")
        email = f"{uuid.uuid4().hex}@example.test"
        user, token = await admin.create_user(session, email, [org.id], role=role)
    return Tenant(org.id, user.id, token)


async def new_member(services: Services, tenant: Tenant) -> Tenant:
    """Another user of ``tenant``'s organization, with the member role (reads only)."""
    async with services.runtime.sessions() as session, session.begin():
        email = f"{uuid.uuid4().hex}@example.test"
        user, token = await admin.create_user(session, email, [tenant.org_id], role=Role.MEMBER)
    return Tenant(tenant.org_id, user.id, token)


@pytest.fixture
async def tenant(services: Services) -> Tenant:
    return await new_tenant(services)


@pytest.fixture
async def other_tenant(services: Services) -> Tenant:
    return await new_tenant(services, "Other")


@pytest.fixture
async def base_url(app: FastAPI) -> AsyncIterator[str]:
    """The app behind a real HTTP server (live streams need one), lifespan already running."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, port=port, lifespan="off", log_config=None))
    task = asyncio.create_task(server.serve())
    await eventually(lambda: server.started)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    server.force_exit = True
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.wait_for(task, 10)
