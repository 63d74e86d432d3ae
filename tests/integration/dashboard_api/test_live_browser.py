"""Live updates as a browser uses them, over a real HTTP server: a single-use ticket opens
the stream (``EventSource`` cannot send headers), every event has an id, a client that drops
and reconnects with ``Last-Event-ID`` receives exactly the events it missed, a resume point
no longer buffered gets ``reset``, and no ticket reaches a span."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy import text

from cmis_dashboard_api.bootstrap import Services
from cmis_dashboard_api.domain.tokens import hash_token
from cmis_dashboard_api.settings import DashboardSettings
from cmis_shared.settings import CmisSettings
from tests.integration.dashboard_api.conftest import Tenant, dashboard_settings, new_member
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

ORIGIN = "https://app.example.com"


@pytest.fixture
def dash_settings(settings: CmisSettings) -> DashboardSettings:
    return dashboard_settings(
        settings,
        cors_origins=ORIGIN,
        auth_cache_seconds=0.5,
        live_buffer_length=10,
        failed_auth_limit=100_000,
    )


@dataclass
class Event:
    id: str
    kind: str
    data: dict


async def _events(response: httpx.Response) -> AsyncIterator[Event]:
    """Parse ``text/event-stream`` as a browser does: fields until a blank line."""
    fields: dict[str, str] = {}
    async for line in response.aiter_lines():
        if line.startswith(":"):
            continue
        if not line:
            if "data" in fields:
                yield Event(
                    fields.get("id", ""), fields.get("event", "message"), json.loads(fields["data"])
                )
            fields = {}
            continue
        name, _, value = line.partition(":")
        fields[name] = value.removeprefix(" ")


async def _ticket(http: httpx.AsyncClient, base_url: str, tenant: Tenant) -> str:
    response = await http.post(
        f"{base_url}/api/orgs/{tenant.org_id}/live/tickets",
        headers={**tenant.headers, "Origin": ORIGIN},
    )
    assert response.status_code == 201, response.text
    assert response.headers["access-control-allow-origin"] == ORIGIN
    body = response.json()
    assert body["url"].endswith(body["ticket"]) and body["expires_in"] == 30
    return str(body["ticket"])


async def _publish(services: Services, tenant: Tenant, marks: range) -> list[str]:
    return [
        await services.live.publish(tenant.org_id, "dashboard", {"section": f"mark-{mark}"})
        for mark in marks
    ]


async def _take(events: AsyncIterator[Event], count: int) -> list[Event]:
    async with asyncio.timeout(60):  # a limit, not a measurement
        return [await anext(events) for _ in range(count)]


async def test_a_browser_resumes_after_a_drop_with_exactly_the_missed_events(
    base_url: str, services: Services, tenant: Tenant
) -> None:
    browser = {"Origin": ORIGIN, "Accept": "text/event-stream"}
    url = f"{base_url}/api/orgs/{tenant.org_id}/events"
    async with httpx.AsyncClient(timeout=15) as http:
        ticket = await _ticket(http, base_url, tenant)
        async with http.stream("GET", url, params={"ticket": ticket}, headers=browser) as first:
            assert first.status_code == 200
            assert first.headers["access-control-allow-origin"] == ORIGIN
            events = _events(first)
            [ready] = await _take(events, 1)
            assert ready.kind == "ready" and ready.id
            await services.live.ready.wait()
            sent = await _publish(services, tenant, range(3))
            seen = await _take(events, 3)
            assert [e.data["section"] for e in seen] == ["mark-0", "mark-1", "mark-2"]
            assert [e.id for e in seen] == sent  # every event carries its buffer id
        # The connection dropped; meanwhile four more events happen.
        missed = await _publish(services, tenant, range(3, 7))
        again = await _ticket(http, base_url, tenant)
        resumed_headers = {**browser, "Last-Event-ID": seen[-1].id}
        async with http.stream(
            "GET", url, params={"ticket": again}, headers=resumed_headers
        ) as second:
            assert second.status_code == 200
            events = _events(second)
            replayed = await _take(events, 5)
            assert replayed[0].kind == "ready"
            assert [e.id for e in replayed[1:]] == missed
            assert [e.data["section"] for e in replayed[1:]] == [f"mark-{n}" for n in range(3, 7)]
            live = await _publish(services, tenant, range(7, 8))
            [after] = await _take(events, 1)  # the next live one, not a replayed duplicate
            assert after.id == live[0] and after.data["section"] == "mark-7"


async def test_resume_by_query_with_a_new_ticket(
    base_url: str, services: Services, tenant: Tenant
) -> None:
    first = await _publish(services, tenant, range(2))
    async with httpx.AsyncClient(timeout=15) as http:
        ticket = await _ticket(http, base_url, tenant)
        async with http.stream(
            "GET",
            f"{base_url}/api/orgs/{tenant.org_id}/events",
            params={"ticket": ticket, "lastEventId": first[0]},
        ) as response:
            ready, replayed = await _take(_events(response), 2)
    assert ready.kind == "ready" and replayed.id == first[1]


async def test_a_resume_point_older_than_the_buffer_gets_reset(
    base_url: str, services: Services, tenant: Tenant
) -> None:
    [oldest] = await _publish(services, tenant, range(1))
    await _publish(services, tenant, range(1, 400))  # the buffer keeps about 10 (~: whole nodes)
    assert not await services.redis.xrange(services.live.buffer(tenant.org_id), oldest, oldest)
    newest = await services.live.position(tenant.org_id)
    url = f"{base_url}/api/orgs/{tenant.org_id}/events"
    async with httpx.AsyncClient(timeout=15) as http:
        for resume_from in (oldest, "1-0", "not-an-id"):
            headers = {**tenant.headers, "Last-Event-ID": resume_from}
            async with http.stream("GET", url, headers=headers) as response:
                ready, reset = await _take(_events(response), 2)
            assert ready.kind == "ready"
            assert reset.kind == "reset" and reset.id == newest, resume_from
            assert "reload" in reset.data["reason"]


async def test_a_ticket_opens_one_stream_once(
    base_url: str, services: Services, tenant: Tenant, other_tenant: Tenant
) -> None:
    member = await new_member(services, tenant)  # members may watch: tickets are not a change
    async with httpx.AsyncClient(timeout=15) as http:
        ticket = await _ticket(http, base_url, member)
        url = f"{base_url}/api/orgs/{tenant.org_id}/events"
        async with http.stream("GET", url, params={"ticket": ticket}) as response:
            assert response.status_code == 200
            [ready] = await _take(_events(response), 1)
            assert ready.kind == "ready"
        reused = await http.get(url, params={"ticket": ticket})
        assert reused.status_code == 401
        assert reused.json()["error"]["code"] == "unauthorized"
        other_org = await _ticket(http, base_url, other_tenant)
        elsewhere = await http.get(url, params={"ticket": other_org})  # for another org
        assert elsewhere.status_code == 401
        assert (await http.get(url, params={"ticket": "lt_guess"})).status_code == 401
        no_auth = await http.post(f"{base_url}/api/orgs/{tenant.org_id}/live/tickets")
        assert no_auth.status_code == 401


async def test_an_expired_ticket_is_refused(
    base_url: str, services: Services, tenant: Tenant, dash_settings: DashboardSettings
) -> None:
    async with httpx.AsyncClient(timeout=15) as http:
        ticket = await _ticket(http, base_url, tenant)
        key = dash_settings.redis_key("live-ticket", hash_token(ticket))
        assert 0 < await services.redis.ttl(key) <= 30  # stored hashed, with its lifetime
        assert await services.redis.get(key) is not None and ticket not in str(
            await services.redis.get(key)
        )
        await services.redis.pexpire(key, 1)  # its 30 s pass, without waiting for them

        async def gone() -> bool:
            return not await services.redis.exists(key)

        await eventually(gone)
        url = f"{base_url}/api/orgs/{tenant.org_id}/events"
        assert (await http.get(url, params={"ticket": ticket})).status_code == 401


async def test_a_ticket_stream_closes_when_the_user_loses_access(
    base_url: str, services: Services, tenant: Tenant
) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        ticket = await _ticket(http, base_url, tenant)
        url = f"{base_url}/api/orgs/{tenant.org_id}/events"
        async with http.stream("GET", url, params={"ticket": ticket}) as response:
            events = _events(response)
            assert (await _take(events, 1))[0].kind == "ready"
            async with services.runtime.sessions() as session, session.begin():
                await session.execute(
                    text("DELETE FROM org_members WHERE user_id = :u"), {"u": tenant.user_id}
                )

            async def drain() -> None:
                async for _ in events:
                    pass

            await asyncio.wait_for(drain(), 60)  # the server ended the stream
    assert services.streams.open == 0


async def test_no_ticket_or_token_reaches_a_span(
    base_url: str, services: Services, tenant: Tenant, span_exporter: InMemorySpanExporter
) -> None:
    async with httpx.AsyncClient(timeout=15) as http:
        ticket = await _ticket(http, base_url, tenant)
        url = f"{base_url}/api/orgs/{tenant.org_id}/events"
        async with http.stream("GET", url, params={"ticket": ticket}) as response:
            await _take(_events(response), 1)
        await http.get(url, params={"ticket": ticket})  # refused: used
        await http.get(f"{base_url}/api/orgs/{tenant.org_id}/dashboard", headers=tenant.headers)
    spans = span_exporter.get_finished_spans()
    assert spans  # tracing is on
    recorded = json.dumps([span.to_json() for span in spans])
    assert ticket not in recorded and tenant.token not in recorded


async def test_events_whose_live_copy_was_lost_come_from_the_buffer_once(
    base_url: str, services: Services, tenant: Tenant
) -> None:
    url = f"{base_url}/api/orgs/{tenant.org_id}/events"
    async with (
        httpx.AsyncClient(timeout=15) as http,
        http.stream("GET", url, headers=tenant.headers) as response,
    ):
        events = _events(response)
        assert (await _take(events, 1))[0].kind == "ready"
        await services.live.ready.wait()
        seen = await _publish(services, tenant, range(2))
        assert [e.id for e in await _take(events, 2)] == seen
        # Two events reach the buffer but not this process (as while its subscription was
        # down, or its queue full); then the hub tells its streams to catch up.
        buffer = services.live.buffer(tenant.org_id)
        lost = [
            (await services.redis.xadd(buffer, {"data": json.dumps(d)})).decode()
            for d in ({"type": "dashboard", "section": "lost-1"},
                      {"type": "dashboard", "section": "lost-2"})
        ]  # fmt: skip
        services.live.catch_up_everyone()
        services.live.catch_up_everyone()  # twice: still each event once
        recovered = await _take(events, 2)
        assert [e.id for e in recovered] == lost
        live = await _publish(services, tenant, range(9, 10))
        [after] = await _take(events, 1)  # the next live one: nothing repeated before it
        assert after.id == live[0]
