"""Connecting, reconnecting, updating and disconnecting integrations."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from cmis_dashboard_api.bootstrap import Services
from cmis_shared.db.models import Integration
from tests.integration.dashboard_api.conftest import Tenant
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

CONNECT = {
    "platform": "meta",
    "account_id": "act_1",
    "account_name": "Page",
    "credentials": {"access_token": "access-1", "refresh_token": "refresh-1"},
    "token_expires_at": "2030-01-01T00:00:00Z",
    "refreshable": True,
    "currency": "EUR",
    "timezone": "Europe/Berlin",
}


async def _credentials(services: Services, integration_id: str) -> dict[str, str]:
    async with services.runtime.sessions() as session:
        row = await session.scalar(select(Integration).where(Integration.id == integration_id))
        assert row is not None
        return services.cipher.decrypt(row.credentials_encrypted)


async def test_connect_reconnect_update_disconnect(
    client: httpx.AsyncClient, services: Services, tenant: Tenant
) -> None:
    base = f"/api/orgs/{tenant.org_id}/integrations"
    created = await client.post(base, headers=tenant.headers, json=CONNECT)
    assert created.status_code == 201, created.text
    body = created.json()
    assert "credentials" not in body and "access-1" not in created.text
    integration_id = body["id"]

    reconnect = {**CONNECT, "credentials": {"access_token": "access-2"}}
    again = await client.post(base, headers=tenant.headers, json=reconnect)
    assert again.json()["id"] == integration_id
    assert await _credentials(services, integration_id) == {
        "access_token": "access-2",
        "refresh_token": "refresh-1",
    }  # refresh token kept

    paused = await client.patch(
        f"{base}/{integration_id}",
        headers=tenant.headers,
        json={"status": "paused", "account_name": "Page EU"},
    )
    assert paused.status_code == 200 and paused.json()["status"] == "paused"

    async def shown(name: str, count: int) -> bool:
        view = (
            await client.get(f"/api/orgs/{tenant.org_id}/dashboard", headers=tenant.headers)
        ).json()
        accounts = view["connected_accounts"]["accounts"]
        return len(accounts) == count and (count == 0 or accounts[0]["account_name"] == name)

    await eventually(lambda: shown("Page EU", 1))  # integration.updated reached the view
    listed = (await client.get(base, headers=tenant.headers)).json()["integrations"]
    assert [i["id"] for i in listed] == [integration_id]

    gone = await client.delete(f"{base}/{integration_id}", headers=tenant.headers)
    assert gone.status_code == 204
    await eventually(lambda: shown("", 0))
    assert (await client.get(f"{base}/{integration_id}", headers=tenant.headers)).status_code == 404
    assert (await client.get(base, headers=tenant.headers)).json()["integrations"] == []


async def test_unknown_time_zone_and_bad_dates_are_422(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    base = f"/api/orgs/{tenant.org_id}/integrations"
    for field, value in (
        ("timezone", "Mars/Olympus"),
        ("token_expires_at", "9999-12-31T23:00:00-23:00"),
        ("account_name", "nul\u0000byte"),
    ):
        response = await client.post(base, headers=tenant.headers, json={**CONNECT, field: value})
        assert response.status_code == 422, (field, response.text)
        assert response.json()["error"]["details"][0]["field"] == f"body.{field}"


async def test_disconnect_erases_the_credentials(
    client: httpx.AsyncClient, services: Services, tenant: Tenant
) -> None:
    base = f"/api/orgs/{tenant.org_id}/integrations"
    integration_id = (await client.post(base, headers=tenant.headers, json=CONNECT)).json()["id"]
    gone = await client.delete(f"{base}/{integration_id}", headers=tenant.headers)
    assert gone.status_code == 204
    async with services.runtime.sessions() as session:
        row = await session.scalar(select(Integration).where(Integration.id == integration_id))
        assert row is not None and row.status == "disconnected"  # history kept
        assert row.credentials_encrypted == b""  # no token outlives the disconnect

    reconnect = {**CONNECT, "credentials": {"access_token": "access-3"}}
    again = await client.post(base, headers=tenant.headers, json=reconnect)
    assert again.json()["id"] == integration_id
    # The erased refresh token does not come back with the reconnect.
    assert await _credentials(services, integration_id) == {"access_token": "access-3"}


async def test_null_leaves_a_field_unchanged_unless_it_can_be_cleared(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    base = f"/api/orgs/{tenant.org_id}/integrations"
    created = (await client.post(base, headers=tenant.headers, json=CONNECT)).json()
    nulls = {"status": None, "refreshable": None, "timezone": None, "currency": None}
    changed = await client.patch(f"{base}/{created['id']}", headers=tenant.headers, json=nulls)
    assert changed.status_code == 200, changed.text  # was a 500: NULL into NOT NULL columns
    body = changed.json()
    assert (body["status"], body["refreshable"], body["timezone"]) == (
        "active", True, "Europe/Berlin",
    )  # fmt: skip
    assert body["currency"] is None
    for wrong in ({"refreshable": 0}, {"timezone": ""}, {"token_expires_at": 0}):
        refused = await client.patch(f"{base}/{created['id']}", headers=tenant.headers, json=wrong)
        assert refused.status_code == 422, (wrong, refused.text)
