"""Connecting accounts through each platform's OAuth consent, against the platform simulator:
start -> the platform's consent (followed over real HTTP) -> the callback -> the pending
grant's accounts -> connect -> integrations exist and ``integration.connected`` is published
on the broker. Refused consent, expired codes, tampered and replayed states, return URLs off
the allow-list and other users' grants end in an error, with nothing stored."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aio_pika
import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy import func, select, text, update

from cmis_dashboard_api.bootstrap import Services
from cmis_dashboard_api.settings import DashboardSettings, OAuthClients
from cmis_platform_sim.platforms.google import MANAGER_ID
from cmis_platform_sim.platforms.meta import BUSINESS_ID, PAGE_IDS
from cmis_platform_sim.platforms.twitter import USER_ID
from cmis_shared.db.models import Integration, OAuthPendingGrant
from cmis_shared.settings import CmisSettings
from cmis_shared.topology import Topology
from tests.integration.dashboard_api.conftest import Tenant, dashboard_settings, new_member
from tests.support.platform_sim import PlatformSim

pytestmark = pytest.mark.integration

FRONTEND = "http://frontend.test/integrations/connected"
API = "http://test"
PLATFORMS = ("google", "meta", "tiktok", "linkedin", "twitter")


@pytest.fixture
def dash_settings(settings: CmisSettings, platform_sim: PlatformSim) -> DashboardSettings:
    return dashboard_settings(
        settings,
        auth_cache_seconds=0.5,
        failed_auth_limit=100_000,
        oauth=OAuthClients.pointing_at(platform_sim.base_url),
        oauth_return_urls=[FRONTEND],
        oauth_public_base_url=API,
    )


@pytest.fixture
async def sim_http(platform_sim: PlatformSim) -> AsyncIterator[httpx.AsyncClient]:
    """The browser's side at the platform: real HTTP, redirects not followed."""
    async with httpx.AsyncClient(timeout=10) as http:
        yield http
        await http.post(
            f"{platform_sim.base_url}/_admin/oauth",
            json={"consent": "approve", "code_ttl_seconds": 600},
        )


async def _sim_consent(sim_http: httpx.AsyncClient, sim: PlatformSim, **values: Any) -> None:
    answer = await sim_http.post(f"{sim.base_url}/_admin/oauth", json=values)
    answer.raise_for_status()


async def _start(
    client: httpx.AsyncClient, tenant: Tenant, platform: str, return_url: str = FRONTEND
) -> httpx.Response:
    return await client.post(
        f"/api/orgs/{tenant.org_id}/integrations/oauth/{platform}/start",
        headers=tenant.headers,
        json={"return_url": return_url},
    )


async def _to_callback(
    client: httpx.AsyncClient, sim_http: httpx.AsyncClient, tenant: Tenant, platform: str
) -> str:
    """Start, then the user's visit to the platform's consent: the callback URL it sends
    the browser to."""
    started = await _start(client, tenant, platform)
    assert started.status_code == 200, started.text
    at_platform = await sim_http.get(started.json()["authorization_url"])
    assert at_platform.status_code == 302, at_platform.text
    callback = at_platform.headers["location"]
    assert callback.startswith(f"{API}/api/oauth/{platform}/callback?"), callback
    return callback


def _frontend_query(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith(FRONTEND + "?"), location
    assert "access_token" not in location and "sim-" not in location  # never tokens in URLs
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


async def _pending_rows(services: Services) -> int:
    async with services.runtime.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(OAuthPendingGrant)) or 0)


@pytest.fixture
async def connected_events(
    services: Services, settings: CmisSettings
) -> AsyncIterator[aio_pika.abc.AbstractQueue]:
    """A queue of our own bound to ``integration.connected`` on the events exchange."""
    connection = await aio_pika.connect_robust(settings.rabbit_url)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.get_exchange(Topology(settings.namespace).exchange.name)
        queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        await queue.bind(exchange, routing_key="integration.connected")
        yield queue


async def _events(queue: aio_pika.abc.AbstractQueue, count: int) -> list[dict[str, Any]]:
    bodies: list[dict[str, Any]] = []
    deadline = asyncio.get_running_loop().time() + 15
    while len(bodies) < count and asyncio.get_running_loop().time() < deadline:
        message = await queue.get(no_ack=True, fail=False)
        if message is None:
            await asyncio.sleep(0.05)
            continue
        bodies.append(json.loads(message.body))
    return bodies


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_round_trip_connects_the_chosen_accounts(
    platform: str,
    client: httpx.AsyncClient,
    sim_http: httpx.AsyncClient,
    services: Services,
    tenant: Tenant,
    connected_events: aio_pika.abc.AbstractQueue,
    span_exporter: InMemorySpanExporter,
) -> None:
    callback = await _to_callback(client, sim_http, tenant, platform)
    back = _frontend_query(await client.get(callback))
    assert back["platform"] == platform and "oauth_error" not in back
    # The callback's code and state are secrets: no span records them.
    query = urlsplit(callback).query
    spans = json.dumps([dict(span.attributes or {}) for span in span_exporter.get_finished_spans()])
    assert all(value not in spans for values in parse_qs(query).values() for value in values)
    pending_url = f"/api/orgs/{tenant.org_id}/integrations/oauth/pending/{back['oauth_pending']}"

    pending = await client.get(pending_url, headers=tenant.headers)
    assert pending.status_code == 200, pending.text
    assert "sim-" not in pending.text  # no token in the listing
    accounts = pending.json()["accounts"]
    connectable = [a["account_id"] for a in accounts if a["connectable"]]
    assert len(connectable) == 3  # the simulator's three canonical accounts, deduplicated
    pages: dict[str, str] = {}
    if platform == "google":  # the manager is listed, its clients carry it
        manager = next(a for a in accounts if a["account_id"] == MANAGER_ID)
        assert manager["kind"] == "manager" and not manager["connectable"]
        assert all(
            a["manager_id"] == MANAGER_ID and a["extra"] == {"login_customer_id": MANAGER_ID}
            for a in accounts
            if a["connectable"]
        )
    if platform == "meta":  # the business, its ad accounts and the pages
        assert {a["account_id"] for a in accounts if a["kind"] == "page"} == set(PAGE_IDS)
        assert any(a["account_id"] == BUSINESS_ID and a["kind"] == "manager" for a in accounts)
        pages = {connectable[0]: PAGE_IDS[0]}

    connected = await client.post(
        f"{pending_url}/connect",
        headers=tenant.headers,
        json={"account_ids": connectable, "pages": pages},
    )
    assert connected.status_code == 201, connected.text
    made = connected.json()["integrations"]
    assert sorted(i["account_id"] for i in made) == sorted(connectable)
    assert "sim-" not in connected.text

    listed = await client.get(f"/api/orgs/{tenant.org_id}/integrations", headers=tenant.headers)
    assert {i["id"] for i in listed.json()["integrations"]} == {i["id"] for i in made}
    async with services.runtime.sessions() as session:
        rows = list(
            await session.scalars(select(Integration).where(Integration.org_id == tenant.org_id))
        )
    credentials = {
        row.account_id: services.cipher.decrypt(row.credentials_encrypted) for row in rows
    }
    assert all(c["access_token"].startswith(f"sim-{platform}") for c in credentials.values())
    if platform in ("google", "linkedin"):
        assert all(c["refresh_token"] for c in credentials.values())
        assert all(row.refreshable and row.token_expires_at for row in rows)
    if platform == "twitter":
        assert all(c["token_secret"] for c in credentials.values())
        assert all(row.account_extra["user_id"] == USER_ID for row in rows)
    if platform == "meta":
        with_page = next(row for row in rows if row.account_id == connectable[0])
        assert with_page.account_extra["page_id"] == PAGE_IDS[0]
        assert with_page.account_extra["ig_user_id"]
        assert credentials[with_page.account_id]["page_access_token"].startswith("sim-meta-page")

    events = await _events(connected_events, len(made))
    assert {e["integration_id"] for e in events} == {i["id"] for i in made}
    assert all(e["platform"] == platform and "token" not in json.dumps(e).lower().replace(
        "token_expires_at", "") for e in events)  # fmt: skip
    # The grant is used up.
    assert (await client.get(pending_url, headers=tenant.headers)).status_code == 404
    assert await _pending_rows(services) == 0


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_refused_consent_stores_nothing(
    platform: str,
    client: httpx.AsyncClient,
    sim_http: httpx.AsyncClient,
    platform_sim: PlatformSim,
    services: Services,
    tenant: Tenant,
) -> None:
    await _sim_consent(sim_http, platform_sim, consent="deny")
    callback = await _to_callback(client, sim_http, tenant, platform)
    back = _frontend_query(await client.get(callback))
    assert back == {"platform": platform, "oauth_error": "access_denied"}
    assert await _pending_rows(services) == 0


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_expired_code_stores_nothing(
    platform: str,
    client: httpx.AsyncClient,
    sim_http: httpx.AsyncClient,
    platform_sim: PlatformSim,
    services: Services,
    tenant: Tenant,
) -> None:
    await _sim_consent(sim_http, platform_sim, code_ttl_seconds=0)  # expired when issued
    callback = await _to_callback(client, sim_http, tenant, platform)
    back = _frontend_query(await client.get(callback))
    assert back == {"platform": platform, "oauth_error": "code_rejected"}
    assert await _pending_rows(services) == 0


async def test_consent_page_mode_shows_a_page_whose_link_approves(
    client: httpx.AsyncClient,
    sim_http: httpx.AsyncClient,
    platform_sim: PlatformSim,
    tenant: Tenant,
) -> None:
    await _sim_consent(sim_http, platform_sim, consent="page")
    started = await _start(client, tenant, "linkedin")
    page = await sim_http.get(started.json()["authorization_url"])
    assert page.status_code == 200 and 'id="approve"' in page.text
    approved = await sim_http.get(started.json()["authorization_url"] + "&sim_decision=approve")
    back = _frontend_query(await client.get(approved.headers["location"]))
    assert "oauth_pending" in back


async def test_tampered_state_is_refused(
    client: httpx.AsyncClient, sim_http: httpx.AsyncClient, services: Services, tenant: Tenant
) -> None:
    callback = await _to_callback(client, sim_http, tenant, "google")
    state = parse_qs(urlsplit(callback).query)["state"][0]
    version, payload, signature = state.split(".")
    other_org = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB")
    for forged in (f"{version}.{other_org}.{signature}", f"{version}.{payload}.{signature[::-1]}"):
        answer = await client.get(callback.replace(state, forged))
        assert answer.status_code == 400, answer.text
        assert answer.json()["error"]["code"] == "invalid_state"
    missing = await client.get(f"{API}/api/oauth/google/callback?code=x")
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "invalid_state"
    # Another platform's callback does not accept this platform's state either.
    elsewhere = await client.get(callback.replace("/oauth/google/", "/oauth/meta/"))
    assert elsewhere.json()["error"]["code"] == "invalid_state"
    assert await _pending_rows(services) == 0


async def test_state_works_once(
    client: httpx.AsyncClient, sim_http: httpx.AsyncClient, services: Services, tenant: Tenant
) -> None:
    callback = await _to_callback(client, sim_http, tenant, "tiktok")
    assert "oauth_pending" in _frontend_query(await client.get(callback))
    replay = await client.get(callback)
    assert replay.status_code == 400 and replay.json()["error"]["code"] == "state_used"
    assert await _pending_rows(services) == 1


@pytest.mark.parametrize(
    "return_url",
    [
        "http://evil.test/integrations/connected",
        "http://frontend.test.evil.test/integrations/connected",
        "http://frontend.test@evil.test/integrations/connected",
        "https://frontend.test/integrations/connected",
        "http://frontend.test/elsewhere",
        "http://frontend.test/integrations/connected-but-not-below",
        "http://frontend.test/integrations/connected#fragment",
    ],
)
async def test_return_url_off_the_allow_list_is_422(
    return_url: str, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    answer = await _start(client, tenant, "meta", return_url)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["details"][0]["field"] == "body.return_url"


async def test_return_url_below_an_allowed_one_is_accepted(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    answer = await _start(client, tenant, "meta", FRONTEND + "/step-2?tab=ads")
    assert answer.status_code == 200, answer.text


async def test_pending_grant_is_its_users_alone_and_expires(
    client: httpx.AsyncClient,
    sim_http: httpx.AsyncClient,
    services: Services,
    tenant: Tenant,
    other_tenant: Tenant,
) -> None:
    callback = await _to_callback(client, sim_http, tenant, "linkedin")
    pending_id = _frontend_query(await client.get(callback))["oauth_pending"]
    path = "/api/orgs/{org}/integrations/oauth/pending/" + pending_id
    ours = path.format(org=tenant.org_id)
    theirs = path.format(org=other_tenant.org_id)
    choice = {"account_ids": ["500000001"]}

    # Another organization's admin: neither through our org nor through theirs.
    for url in (ours, theirs):
        assert (await client.get(url, headers=other_tenant.headers)).status_code == 404
        connect = await client.post(f"{url}/connect", headers=other_tenant.headers, json=choice)
        assert connect.status_code == 404
    # Another member of our organization does not see the grant either.
    colleague = await new_member(services, tenant)
    assert (await client.get(ours, headers=colleague.headers)).status_code == 404

    # Accounts the grant does not offer are refused; the grant stays usable.
    wrong = await client.post(
        f"{ours}/connect", headers=tenant.headers, json={"account_ids": ["999"]}
    )
    assert wrong.status_code == 422, wrong.text
    assert (await client.get(ours, headers=tenant.headers)).status_code == 200

    # Pending grants expire.
    async with services.runtime.sessions() as session, session.begin():
        await session.execute(
            update(OAuthPendingGrant).values(expires_at=text("now() - interval '1 second'"))
        )
    assert (await client.get(ours, headers=tenant.headers)).status_code == 404
    late = await client.post(f"{ours}/connect", headers=tenant.headers, json=choice)
    assert late.status_code == 404
    async with services.runtime.sessions() as session:
        count = await session.scalar(select(func.count()).select_from(Integration))
    assert count == 0
