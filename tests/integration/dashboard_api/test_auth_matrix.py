"""Every route x (no token, bad token, other org, right org): 401, 401, 404 (exactly like a
missing org), and not an auth error; and every route x role: members read (and may trigger
syncs and refresh the dashboard), every other change needs an admin (403 otherwise)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from cmis_dashboard_api import admin
from cmis_dashboard_api.bootstrap import Services
from tests.integration.dashboard_api import chart_data
from tests.integration.dashboard_api.conftest import Tenant, new_member

pytestmark = pytest.mark.integration

# Needs no token (it issues one): checked by test_sign_in and below for its 422.
PUBLIC = {("POST", "/api/auth/login")}
# Revokes the token it presents: called with a token of its own.
SIGN_OUT = ("POST", "/api/auth/logout")

BODIES = {
    ("POST", "/api/auth/login"): {"email": "nobody@example.test", "password": "wrong"},
    ("POST", "/api/orgs/{org_id}/integrations"): {
        "platform": "tiktok",
        "account_id": "acc-1",
        "account_name": "TT",
        "credentials": {"access_token": "t"},
    },
    ("POST", "/api/orgs/{org_id}/kpis"): {"name": "CTR", "metric": "avg_ctr", "target": 2},
    ("POST", "/api/orgs/{org_id}/backfills"): {
        "since": (datetime.now(UTC) - timedelta(days=30)).date().isoformat(),
        "until": (datetime.now(UTC) - timedelta(days=1)).date().isoformat(),
    },
    ("POST", "/api/orgs/{org_id}/integrations/oauth/{platform}/start"): {
        "return_url": "http://frontend.test/connected"
    },
    ("POST", "/api/orgs/{org_id}/integrations/oauth/pending/{pending_id}/connect"): {
        "account_ids": ["1"]
    },
    ("POST", "/api/orgs/{org_id}/scheduled-content"): {
        "content": "x",
        "platforms": ["meta"],
        "scheduled_for": "2030-01-01T00:00:00Z",
    },
    ("POST", "/api/orgs/{org_id}/alerts/{alert_id}/snooze"): {
        "until": (datetime.now(UTC) + timedelta(days=1)).isoformat()
    },
    ("PATCH", "/api/orgs/{org_id}/settings"): {"alerts": {"budget_warning_pct": 80}},
    ("PATCH", "/api/orgs/{org_id}/members/{user_id}"): {"role": "member"},
    ("POST", "/api/orgs/{org_id}/notification-channels"): {
        "name": "ops",
        "kind": "email",
        "to": "ops@example.com",
    },
    ("POST", "/api/orgs/{org_id}/notification-silences"): {
        "subject_id": str(uuid.uuid4()),
        "expires_at": "2030-01-01T00:00:00Z",
    },
}
CHANGES = {
    "/api/orgs/{org_id}/integrations/{integration_id}": {"account_name": "Renamed"},
    "/api/orgs/{org_id}/kpis/{kpi_id}": {"target": 1},
    "/api/orgs/{org_id}/scheduled-content/{content_id}": {"content": "changed"},
    "/api/orgs/{org_id}/members/{user_id}": {"role": "member"},
    "/api/orgs/{org_id}/notification-channels/{channel_id}": {"name": "renamed"},
}
ID_NAMES = (
    "integration_id", "kpi_id", "content_id", "campaign_id", "alert_id", "pending_id", "user_id",
    "channel_id", "silence_id", "backfill_id",
)  # fmt: skip


# The platforms' OAuth callback: the browser arrives from the platform without a bearer
# token; the signed single-use state authenticates it (test_oauth_connect).
STATE_AUTHENTICATED = {"/api/oauth/{platform}/callback"}


def _routes(app: FastAPI) -> list[tuple[str, str]]:
    return sorted(
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if "/events" not in path  # the stream: covered in test_live_updates
        and path not in STATE_AUTHENTICATED  # covered in test_oauth_connect
        for method in operations
    )


async def _bodies(services: Services) -> dict[tuple[str, str], object]:
    """BODIES, with a member to add: an existing user of no organization."""
    async with services.runtime.sessions() as session, session.begin():
        user, _ = await admin.create_user(session, f"{uuid.uuid4().hex}@example.test")
    return {**BODIES, ("POST", "/api/orgs/{org_id}/members"): {"email": user.email}}


def _url(path: str, org_id: uuid.UUID, ids: dict[str, uuid.UUID] | None = None) -> str:
    given = ids or {}
    values = {name: given.get(name, uuid.uuid4()) for name in ID_NAMES}
    return path.format(org_id=org_id, platform="google", **values)


async def _spare_headers(services: Services, tenant: Tenant) -> dict[str, str]:
    """Another token of ``tenant``'s user (for the route that revokes what it is sent)."""
    async with services.runtime.sessions() as session, session.begin():
        token = await admin.issue_token(session, tenant.user_id, "spare")
    return {"Authorization": f"Bearer {token}"}


async def test_every_route_checks_token_and_membership(
    app: FastAPI,
    client: httpx.AsyncClient,
    services: Services,
    tenant: Tenant,
    other_tenant: Tenant,
) -> None:
    routes = _routes(app)
    assert len(routes) >= 20
    bodies = await _bodies(services)
    for method, path in routes:
        body = bodies.get((method, path))
        if (method, path) in PUBLIC:
            assert (await client.request(method, path, json={})).status_code == 422
            continue
        url = _url(path, tenant.org_id)

        async def call(
            headers: dict[str, str], target: str = url, method: str = method, body: object = body
        ) -> httpx.Response:
            return await client.request(method, target, headers=headers, json=body)

        missing = await call({})
        assert missing.status_code == 401, (method, path)
        assert missing.json()["error"]["code"] == "unauthorized"
        assert missing.headers["www-authenticate"] == "Bearer"
        assert (await call({"Authorization": "Bearer nope"})).status_code == 401, (method, path)
        if "{org_id}" in path:
            other = await call(other_tenant.headers)
            absent = await call(other_tenant.headers, _url(path, uuid.uuid4()))
            assert other.status_code == absent.status_code == 404, (method, path)
            assert other.json() == absent.json(), (method, path)
        own = await _spare_headers(services, tenant) if (method, path) == SIGN_OUT else None
        right = await call(own or tenant.headers)
        assert right.status_code not in (401, 403, 500), (method, path, right.text)
        if path.count("{") == 1:  # no sub-resource id: the org's own routes answer 2xx
            assert right.status_code < 300, (method, path, right.text)


MEMBER_WRITES = {
    ("POST", "/api/orgs/{org_id}/sync/trigger"),
    ("POST", "/api/orgs/{org_id}/sync/integrations/{integration_id}/trigger"),
    ("POST", "/api/orgs/{org_id}/dashboard/refresh"),
    ("POST", "/api/orgs/{org_id}/live/tickets"),  # watching is reading
    ("POST", "/api/orgs/{org_id}/backfills"),  # as the manual trigger
    ("POST", "/api/orgs/{org_id}/backfills/{backfill_id}/cancel"),
    SIGN_OUT,  # anyone may end their own session
}
# Reads that need the admin role too: the audit log; notification settings (receivers' hosts
# and delivery errors).
ADMIN_READS = {
    ("GET", "/api/orgs/{org_id}/audit"),
    ("GET", "/api/orgs/{org_id}/notification-channels"),
    ("GET", "/api/orgs/{org_id}/notification-channels/{channel_id}/deliveries"),
    ("GET", "/api/orgs/{org_id}/notification-silences"),
}


async def test_every_route_x_role_members_read_admins_change(
    app: FastAPI, client: httpx.AsyncClient, services: Services, tenant: Tenant
) -> None:
    member = await new_member(services, tenant)
    bodies = await _bodies(services)
    writes = 0
    for method, path in _routes(app):
        if (method, path) in PUBLIC:
            continue
        url, body = _url(path, tenant.org_id), bodies.get((method, path))
        headers = member.headers
        if (method, path) == SIGN_OUT:
            headers = await _spare_headers(services, member)
        as_member = await client.request(method, url, headers=headers, json=body)
        reads = method in ("GET", "HEAD") and (method, path) not in ADMIN_READS
        if reads or (method, path) in MEMBER_WRITES:
            assert as_member.status_code not in (401, 403, 500), (method, path, as_member.text)
            continue
        writes += 1
        assert as_member.status_code == 403, (method, path, as_member.text)
        assert as_member.json()["error"]["code"] == "forbidden", (method, path)
        as_admin = await client.request(method, url, headers=tenant.headers, json=body)
        assert as_admin.status_code not in (401, 403, 500), (method, path, as_admin.text)
    # integrations, KPIs, scheduled content, settings and members: create, change, delete;
    # and the audit log
    assert writes >= 13


async def test_invalid_ids_answer_422_naming_the_field(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.get("/api/orgs/not-a-uuid/dashboard", headers=tenant.headers)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["details"][0]["field"] == "path.org_id"
    body = await client.post(
        f"/api/orgs/{tenant.org_id}/kpis",
        headers=tenant.headers,
        json={"name": "x", "metric": "nonsense", "target": 1},
    )
    assert body.status_code == 422
    assert body.json()["error"]["details"][0]["field"] == "body.metric"


async def _real_ids(
    client: httpx.AsyncClient, services: Services, tenant: Tenant
) -> dict[str, uuid.UUID]:
    """One of every sub-resource, existing in ``tenant``'s organization."""
    base = f"/api/orgs/{tenant.org_id}"
    integration_id = await chart_data.connect(services, tenant, "google", "matrix")
    await chart_data.seed_campaign(services, tenant, integration_id, "Matrix", {0: ("1", 1, 1)})
    [campaign] = (await chart_data.get(client, tenant, "/campaigns"))["items"]
    kpi = await client.post(
        f"{base}/kpis", headers=tenant.headers, json=BODIES[("POST", "/api/orgs/{org_id}/kpis")]
    )
    content = await client.post(
        f"{base}/scheduled-content",
        headers=tenant.headers,
        json=BODIES[("POST", "/api/orgs/{org_id}/scheduled-content")],
    )
    return {
        "integration_id": integration_id,
        "campaign_id": uuid.UUID(campaign["id"]),
        "kpi_id": uuid.UUID(kpi.json()["id"]),
        "content_id": uuid.UUID(content.json()["id"]),
        "alert_id": await chart_data.seed_alert(services, tenant),
        "user_id": tenant.user_id,  # a member of that organization
    }


async def test_real_ids_of_another_organization_answer_like_missing_ones(
    app: FastAPI,
    client: httpx.AsyncClient,
    services: Services,
    tenant: Tenant,
    other_tenant: Tenant,
) -> None:
    theirs = await _real_ids(client, services, other_tenant)
    checked = 0
    for method, path in _routes(app):
        if not any(f"{{{name}}}" in path for name in ID_NAMES):
            continue
        body = CHANGES.get(path) if method == "PATCH" else BODIES.get((method, path))
        real = await client.request(
            method, _url(path, tenant.org_id, theirs), headers=tenant.headers, json=body
        )
        missing = await client.request(
            method, _url(path, tenant.org_id), headers=tenant.headers, json=body
        )
        assert real.status_code == missing.status_code == 404, (method, path, real.text)
        assert real.json()["error"]["message"] == missing.json()["error"]["message"]
        checked += 1
    assert checked >= 15
