"""People's sign-in against the real servers: login for an expiring token, logout revoking
it, ``/api/me``, ``cmis-admin set-password``, failed sign-ins throttled per account and per
client address (counted in refusals, never timed), and no password or token in any log."""

from __future__ import annotations

import asyncio
import io
import logging
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy import text
from structlog.testing import capture_logs

from cmis_dashboard_api import admin, admin_cli
from cmis_dashboard_api.adapters.accounts import set_password
from cmis_dashboard_api.app import create_app
from cmis_dashboard_api.bootstrap import Services
from cmis_dashboard_api.domain.passwords import Passwords
from cmis_dashboard_api.domain.roles import Role
from cmis_dashboard_api.settings import DashboardSettings
from cmis_shared.settings import CmisSettings
from tests.integration.dashboard_api.conftest import Tenant, dashboard_settings

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery staple"
LOGIN = "/api/auth/login"


async def with_password(services: Services, tenant: Tenant, password: str = PASSWORD) -> str:
    """Give the tenant's user a password; returns their email."""
    encoded = await asyncio.to_thread(Passwords().hash, password)
    async with services.runtime.sessions() as session, session.begin():
        email = await session.scalar(
            text("SELECT email FROM users WHERE id = :u"), {"u": tenant.user_id}
        )
        await set_password(session, tenant.user_id, encoded)
    return str(email)


async def test_login_returns_an_expiring_token_that_works(
    client: httpx.AsyncClient, services: Services, tenant: Tenant
) -> None:
    email = await with_password(services, tenant)
    before = datetime.now(UTC)
    response = await client.post(LOGIN, json={"email": email.upper(), "password": PASSWORD})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer" and body["token"].startswith("cmis_")
    lifetime = datetime.fromisoformat(body["expires_at"]) - before
    assert timedelta(hours=11) < lifetime <= timedelta(hours=12, minutes=1)
    me = await client.get("/api/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    assert me.json()["user"]["id"] == str(tenant.user_id)
    async with services.runtime.sessions() as session:
        label = await session.scalar(
            text("SELECT label FROM api_tokens WHERE user_id = :u AND label <> 'initial'"),
            {"u": tenant.user_id},
        )
    assert label == "sign-in"  # an ordinary api_tokens row: list-tokens and revoke-token see it


async def test_unknown_email_and_wrong_password_answer_alike(
    client: httpx.AsyncClient, services: Services, tenant: Tenant
) -> None:
    email = await with_password(services, tenant)
    wrong = await client.post(LOGIN, json={"email": email, "password": "not the password"})
    unknown = await client.post(
        LOGIN, json={"email": f"{uuid.uuid4().hex}@example.test", "password": PASSWORD}
    )
    no_password = await client.post(
        LOGIN, json={"email": await _email_without_password(services), "password": PASSWORD}
    )
    assert wrong.status_code == unknown.status_code == no_password.status_code == 401
    assert wrong.json() == unknown.json() == no_password.json()
    assert wrong.json()["error"]["code"] == "unauthorized"


async def _email_without_password(services: Services) -> str:
    email = f"{uuid.uuid4().hex}@example.test"
    async with services.runtime.sessions() as session, session.begin():
        await admin.create_user(session, email)
    return email


async def test_me_lists_every_organization_with_the_role_in_it(
    client: httpx.AsyncClient, services: Services, tenant: Tenant, other_tenant: Tenant
) -> None:
    async with services.runtime.sessions() as session, session.begin():
        await admin.add_member(session, tenant.user_id, other_tenant.org_id, Role.MEMBER)
    me = (await client.get("/api/me", headers=tenant.headers)).json()
    roles = {org["id"]: org["role"] for org in me["organizations"]}
    assert roles == {str(tenant.org_id): "admin", str(other_tenant.org_id): "member"}
    assert set(me["user"]) == {"id", "email", "name"}
    assert (await client.get("/api/me")).status_code == 401


async def test_logout_revokes_only_the_presented_token(
    client: httpx.AsyncClient, services: Services, tenant: Tenant
) -> None:
    email = await with_password(services, tenant)
    token = (await client.post(LOGIN, json={"email": email, "password": PASSWORD})).json()["token"]
    signed_in = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/me", headers=signed_in)).status_code == 200
    out = await client.post("/api/auth/logout", headers=signed_in)
    assert out.status_code == 204
    assert (await client.get("/api/me", headers=signed_in)).status_code == 401  # at once here
    assert (await client.get("/api/me", headers=tenant.headers)).status_code == 200
    assert (await client.post("/api/auth/logout", headers=signed_in)).status_code == 401


async def test_set_password_reads_stdin_and_ends_sign_in_sessions(
    client: httpx.AsyncClient,
    services: Services,
    tenant: Tenant,
    dash_settings: DashboardSettings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    email = await with_password(services, tenant)
    old = (await client.post(LOGIN, json={"email": email, "password": PASSWORD})).json()["token"]
    monkeypatch.setenv("CMIS_DATABASE_URL", dash_settings.database_url)
    new_password = "a brand new passphrase"
    monkeypatch.setattr("sys.stdin", io.StringIO(new_password + "\n"))
    await asyncio.to_thread(admin_cli.main, ["set-password", email])
    printed = capsys.readouterr()
    assert "password set" in printed.out and "1 sign-in session(s) ended" in printed.out
    assert new_password not in printed.out + printed.err
    services.auth.forget()
    assert (
        await client.get("/api/me", headers={"Authorization": f"Bearer {old}"})
    ).status_code == 401
    assert (await client.get("/api/me", headers=tenant.headers)).status_code == 200  # cmis-admin's
    refused = await client.post(LOGIN, json={"email": email, "password": PASSWORD})
    assert refused.status_code == 401
    accepted = await client.post(LOGIN, json={"email": email, "password": new_password})
    assert accepted.status_code == 200


async def test_set_password_refuses_a_short_one(
    services: Services,
    tenant: Tenant,
    dash_settings: DashboardSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    email = await with_password(services, tenant)
    monkeypatch.setenv("CMIS_DATABASE_URL", dash_settings.database_url)
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    with pytest.raises(SystemExit, match="at least 10 characters"):
        await asyncio.to_thread(admin_cli.main, ["set-password", email])


@pytest.fixture
def throttled_settings(settings: CmisSettings) -> DashboardSettings:
    return dashboard_settings(settings, sign_in_account_failures=3, sign_in_address_failures=5)


@pytest.fixture
async def throttled(
    throttled_settings: DashboardSettings, tracer_provider: TracerProvider
) -> AsyncIterator[FastAPI]:
    application = create_app(throttled_settings, tracer_provider)
    async with LifespanManager(application, startup_timeout=30, shutdown_timeout=30):
        yield application


async def _login_from(app: FastAPI, address: str, email: str, password: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        return await http.post(LOGIN, json={"email": email, "password": password})


async def _throttled_tenant(app: FastAPI) -> tuple[str, Tenant]:
    services: Services = app.state.services
    async with services.runtime.sessions() as session, session.begin():
        org = await admin.create_organization(session, f"T {uuid.uuid4().hex[:6]}")
        user, token = await admin.create_user(session, f"{uuid.uuid4().hex}@example.test", [org.id])
    tenant = Tenant(org.id, user.id, token)
    return await with_password(services, tenant), tenant


async def test_failed_sign_ins_slow_the_account_down_from_any_address(throttled: FastAPI) -> None:
    email, _ = await _throttled_tenant(throttled)
    other_email, _ = await _throttled_tenant(throttled)
    statuses = [
        (await _login_from(throttled, f"10.0.0.{n}", email, "wrong password")).status_code
        for n in range(1, 5)
    ]
    assert statuses == [401, 401, 401, 429]  # three failures from three addresses, then refused
    right = await _login_from(throttled, "10.0.0.9", email, PASSWORD)
    assert right.status_code == 429  # refused before the password is even checked
    assert int(right.headers["Retry-After"]) >= 1
    assert right.json()["error"]["code"] == "rate_limited"
    assert (await _login_from(throttled, "10.0.0.9", other_email, PASSWORD)).status_code == 200


async def test_failed_sign_ins_slow_the_client_address_down_for_every_account(
    throttled: FastAPI,
) -> None:
    email, _ = await _throttled_tenant(throttled)
    statuses = [
        (
            await _login_from(throttled, "10.1.0.1", f"{uuid.uuid4().hex}@example.test", "guess")
        ).status_code
        for _ in range(6)
    ]
    assert statuses == [401] * 5 + [429]  # unknown accounts count against the address too
    assert (await _login_from(throttled, "10.1.0.1", email, PASSWORD)).status_code == 429
    assert (await _login_from(throttled, "10.1.0.2", email, PASSWORD)).status_code == 200


async def test_passwords_and_tokens_never_reach_a_log(
    client: httpx.AsyncClient,
    services: Services,
    tenant: Tenant,
    caplog: pytest.LogCaptureFixture,
) -> None:
    email = await with_password(services, tenant)
    caplog.set_level(logging.DEBUG)
    with capture_logs() as logs:
        failed = await client.post(LOGIN, json={"email": email, "password": "Wrong-Secret-42"})
        signed_in = await client.post(LOGIN, json={"email": email, "password": PASSWORD})
        token = signed_in.json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        ticket = (
            await client.post(f"/api/orgs/{tenant.org_id}/live/tickets", headers=headers)
        ).json()["ticket"]
        await client.post("/api/auth/logout", headers=headers)
    assert failed.status_code == 401 and signed_in.status_code == 200
    written = " ".join(str(entry) for entry in logs) + caplog.text
    assert "sign-in failed" in written and "signed in" in written  # the events are logged
    for secret in ("Wrong-Secret-42", PASSWORD, token, ticket, tenant.token):
        assert secret not in written
