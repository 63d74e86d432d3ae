"""Organization settings, members and the audit log through the API, on the real servers:
defaults shown when unset, admins change and members read, every change audited (before and
after), the last admin kept, a removed member shut out at once."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from cmis_dashboard_api import admin
from cmis_dashboard_api.adapters.auth_queries import principal_lookup
from cmis_dashboard_api.bootstrap import Services
from cmis_dashboard_api.domain.roles import Role
from cmis_dashboard_api.handlers.auth import Authenticator
from cmis_shared.db.models import Organization, OrgMember
from tests.integration.dashboard_api.conftest import Tenant, new_member
from tests.integration.dashboard_api.test_dashboard_view import connect

pytestmark = pytest.mark.integration

DEFAULT_ALERTS = {
    "budget_warning_pct": 90,
    "budget_critical_pct": 100,
    "token_warning_days": 7,
    "token_critical_hours": 24,
}
DEFAULT_SCHEDULES = {
    "metrics_seconds": 3600,
    "campaigns_seconds": 14400,
    "all_seconds": 86400,
    "all_at": "02:00",
}


def _settings_url(tenant: Tenant) -> str:
    return f"/api/orgs/{tenant.org_id}/settings"


async def _patch(client: httpx.AsyncClient, tenant: Tenant, body: dict[str, Any]) -> dict:
    response = await client.patch(_settings_url(tenant), headers=tenant.headers, json=body)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def _audit(client: httpx.AsyncClient, tenant: Tenant, **params: object) -> dict:
    response = await client.get(
        f"/api/orgs/{tenant.org_id}/audit", headers=tenant.headers, params=params
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_unset_settings_show_the_defaults_and_the_first_accounts_currency(
    client: httpx.AsyncClient, services: Services, tenant: Tenant
) -> None:
    member = await new_member(services, tenant)
    shown = (await client.get(_settings_url(tenant), headers=member.headers)).json()
    assert shown["timezone"] == "UTC"
    assert shown["currency"] is None
    assert shown["alerts"] == DEFAULT_ALERTS
    assert shown["schedules"] == DEFAULT_SCHEDULES
    assert shown["manual_triggers"] == {"limit": 1000, "window_seconds": 60}  # the process's
    assert shown["overridden"] == []
    assert shown["defaults"]["alerts"] == DEFAULT_ALERTS

    await connect(services, tenant)  # a USD account
    shown = (await client.get(_settings_url(tenant), headers=member.headers)).json()
    assert shown["currency"] == shown["defaults"]["currency"] == "USD"


async def test_an_admins_change_applies_only_the_keys_given_and_is_audited(
    client: httpx.AsyncClient, services: Services, tenant: Tenant
) -> None:
    member = await new_member(services, tenant)
    body = {"timezone": "Europe/Berlin", "alerts": {"budget_warning_pct": 80}}
    refused = await client.patch(_settings_url(tenant), headers=member.headers, json=body)
    assert refused.status_code == 403

    changed = await _patch(client, tenant, body)
    assert changed["timezone"] == "Europe/Berlin"
    assert changed["alerts"] == {**DEFAULT_ALERTS, "budget_warning_pct": 80}
    assert changed["overridden"] == ["timezone", "alerts.budget_warning_pct"]
    changed = await _patch(client, tenant, {"schedules": {"metrics_seconds": 900}})
    assert changed["timezone"] == "Europe/Berlin"  # kept: not in this patch
    assert changed["schedules"]["metrics_seconds"] == 900
    assert (await client.get(_settings_url(tenant), headers=member.headers)).json() == changed

    [second, first] = (await _audit(client, tenant))["entries"]
    assert first["action"] == second["action"] == "settings.changed"
    assert first["actor_user_id"] == str(tenant.user_id)
    assert first["before"] == {"timezone": "UTC", "alerts.budget_warning_pct": None}
    assert first["after"] == {"timezone": "Europe/Berlin", "alerts.budget_warning_pct": 80}
    assert second["after"] == {"schedules.metrics_seconds": 900}

    async with services.runtime.sessions() as session:
        org = await session.get(Organization, tenant.org_id)
    assert org is not None
    assert org.timezone == "Europe/Berlin"
    assert org.settings == {
        "alerts": {"budget_warning_pct": 80},
        "schedules": {"metrics_seconds": 900},
    }


async def test_null_returns_a_value_to_its_default_and_an_unchanged_patch_is_not_audited(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await _patch(client, tenant, {"currency": "EUR", "alerts": {"token_warning_days": 14}})
    await _patch(client, tenant, {"currency": "EUR"})  # no change: nothing audited
    reset = await _patch(client, tenant, {"currency": None, "alerts": None})
    assert reset["currency"] is None
    assert reset["alerts"] == DEFAULT_ALERTS
    assert reset["overridden"] == []
    entries = (await _audit(client, tenant))["entries"]
    assert len(entries) == 2
    assert entries[0]["before"] == {"currency": "EUR", "alerts.token_warning_days": 14}
    assert entries[0]["after"] == {"currency": None, "alerts.token_warning_days": None}


@pytest.mark.parametrize(
    "body",
    [
        {"timezone": ""},
        {"timezone": "Mars/Olympus"},
        {"currency": "usd"},
        {"currency": "XYZ"},
        {"alerts": {"budget_warning_pct": 0}},
        {"alerts": {"budget_warning_pct": True}},
        {"alerts": {"token_warning_days": "7"}},
        {"schedules": {"metrics_seconds": 30}},
        {"schedules": {"metrics_seconds": 60.5}},
        {"schedules": {"all_at": "24:00"}},
        {"manual_triggers": {"limit": 0}},
        {"alerts": {"nonsense": 1}},
        {"colour": "blue"},
    ],
)
async def test_values_the_services_would_not_apply_are_refused(
    client: httpx.AsyncClient, tenant: Tenant, body: dict[str, Any]
) -> None:
    response = await client.patch(_settings_url(tenant), headers=tenant.headers, json=body)
    assert response.status_code == 422, response.text
    assert (await _audit(client, tenant))["entries"] == []


async def test_switching_a_schedule_off_is_zero(client: httpx.AsyncClient, tenant: Tenant) -> None:
    changed = await _patch(client, tenant, {"schedules": {"campaigns_seconds": 0}})
    assert changed["schedules"]["campaigns_seconds"] == 0


async def _user(services: Services) -> tuple[uuid.UUID, str, str]:
    async with services.runtime.sessions() as session, session.begin():
        email = f"{uuid.uuid4().hex}@example.test"
        user, token = await admin.create_user(session, email)
    return user.id, email, token


async def test_admins_add_members_by_email_change_roles_and_remove_them(
    client: httpx.AsyncClient, services: Services, tenant: Tenant, other_tenant: Tenant
) -> None:
    # A cache that would keep the removed member in for 5 minutes: only forgetting on the
    # change shuts them out at once.
    services.auth = Authenticator(principal_lookup(services.runtime.sessions), ttl_seconds=300)
    user_id, email, token = await _user(services)
    members_url = f"/api/orgs/{tenant.org_id}/members"
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.get(members_url, headers=headers)).status_code == 404  # not in yet

    added = await client.post(members_url, headers=tenant.headers, json={"email": email})
    assert added.status_code == 201, added.text
    assert added.json() == {"user_id": str(user_id), "email": email, "name": "", "role": "member"}
    again = await client.post(members_url, headers=tenant.headers, json={"email": email})
    assert again.status_code == 409
    unknown = await client.post(
        members_url, headers=tenant.headers, json={"email": "nobody@example.test"}
    )
    assert unknown.status_code == 404
    listed = (await client.get(members_url, headers=headers)).json()["members"]
    assert {(m["user_id"], m["role"]) for m in listed} == {
        (str(tenant.user_id), "admin"),
        (str(user_id), "member"),
    }
    refused = await client.delete(f"{members_url}/{tenant.user_id}", headers=headers)
    assert refused.status_code == 403

    promoted = await client.patch(
        f"{members_url}/{user_id}", headers=tenant.headers, json={"role": "admin"}
    )
    assert promoted.json()["role"] == "admin"
    assert (await client.get(members_url, headers=headers)).status_code == 200  # now cached
    removed = await client.delete(f"{members_url}/{user_id}", headers=tenant.headers)
    assert removed.status_code == 204
    # Shut out at the next request: this process forgot its cached lookup.
    assert (await client.get(members_url, headers=headers)).status_code == 404
    missing = await client.delete(f"{members_url}/{user_id}", headers=tenant.headers)
    assert missing.status_code == 404
    # A member of another organization answers exactly as a user who is nobody's member.
    foreign = await client.patch(
        f"{members_url}/{other_tenant.user_id}", headers=tenant.headers, json={"role": "admin"}
    )
    nobody = await client.patch(
        f"{members_url}/{uuid.uuid4()}", headers=tenant.headers, json={"role": "admin"}
    )
    assert foreign.status_code == nobody.status_code == 404
    assert foreign.json() == nobody.json()

    actions = [
        (e["action"], e["before"], e["after"]) for e in (await _audit(client, tenant))["entries"]
    ]
    assert actions == [
        ("member.removed", {"email": email, "role": "admin"}, {}),
        ("member.role_changed", {"role": "member"}, {"role": "admin"}),
        ("member.added", {}, {"email": email, "role": "member"}),
    ]


async def test_the_last_admin_can_be_neither_demoted_nor_removed(
    client: httpx.AsyncClient, services: Services, tenant: Tenant
) -> None:
    member = await new_member(services, tenant)
    url = f"/api/orgs/{tenant.org_id}/members/{tenant.user_id}"
    demoted = await client.patch(url, headers=tenant.headers, json={"role": "member"})
    assert demoted.status_code == 409
    assert demoted.json()["error"]["code"] == "conflict"
    assert (await client.delete(url, headers=tenant.headers)).status_code == 409

    other = f"/api/orgs/{tenant.org_id}/members/{member.user_id}"
    await client.patch(other, headers=tenant.headers, json={"role": "admin"})
    # Two admins demoting each other at the same moment: one of them stays admin.
    first, second = await asyncio.gather(
        client.patch(url, headers=member.headers, json={"role": "member"}),
        client.patch(other, headers=tenant.headers, json={"role": "member"}),
    )
    # The loser is refused: 409 (last admin), or 403 when the winner's change took its admin
    # role before its own request was authorized.
    assert sorted((first.status_code, second.status_code)) in ([200, 403], [200, 409])
    async with services.runtime.sessions() as session:
        roles = await session.scalars(
            select(OrgMember.role).where(OrgMember.org_id == tenant.org_id)
        )
        assert sorted(roles) == [Role.ADMIN, Role.MEMBER]


async def test_a_removed_members_open_stream_closes(
    base_url: str, services: Services, tenant: Tenant
) -> None:
    member = await new_member(services, tenant)
    async with (
        httpx.AsyncClient(timeout=30) as http,
        http.stream(
            "GET", f"{base_url}/api/orgs/{tenant.org_id}/events", headers=member.headers
        ) as response,
    ):
        lines = response.aiter_lines()
        assert "ready" in " ".join([await anext(lines) for _ in range(3)])  # id, event, data
        removed = await http.delete(
            f"{base_url}/api/orgs/{tenant.org_id}/members/{member.user_id}",
            headers=tenant.headers,
        )
        assert removed.status_code == 204

        async def drain() -> None:
            async for _ in lines:
                pass

        await asyncio.wait_for(drain(), 60)  # ended by the server, within the cache period


async def test_the_audit_log_pages_newest_first_for_admins_only(
    client: httpx.AsyncClient, services: Services, tenant: Tenant, other_tenant: Tenant
) -> None:
    for days in (10, 11, 12):
        await _patch(client, tenant, {"alerts": {"token_warning_days": days}})
    first = await _audit(client, tenant, limit=2)
    assert [e["after"] for e in first["entries"]] == [
        {"alerts.token_warning_days": 12},
        {"alerts.token_warning_days": 11},
    ]
    rest = await _audit(client, tenant, limit=2, cursor=first["next_cursor"])
    assert [e["after"] for e in rest["entries"]] == [{"alerts.token_warning_days": 10}]
    assert rest["next_cursor"] is None

    url = f"/api/orgs/{tenant.org_id}/audit"
    foreign = (await _audit(client, other_tenant))["entries"]
    assert foreign == []
    unknown = await client.get(url, headers=tenant.headers, params={"cursor": str(uuid.uuid4())})
    assert unknown.status_code == 404
    member = await new_member(services, tenant)
    assert (await client.get(url, headers=member.headers)).status_code == 403
