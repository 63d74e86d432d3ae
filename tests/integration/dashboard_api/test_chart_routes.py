"""The chart and table routes over real PostgreSQL: campaigns (filters, sorts, cursor pages,
daily series), metrics over time, posts, alerts with their history and the user's commands,
which reach the alerting service as ``alerting.command`` and are applied there."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import aio_pika
import httpx
import pytest

from cmis_alerting.adapters.unit_of_work import SqlUnitOfWork as AlertingUnitOfWork
from cmis_alerting.handlers import AlertCommands
from cmis_dashboard_api.bootstrap import Services
from cmis_shared.db.models import Post
from cmis_shared.events import AlertCommand, parse_event
from tests.integration.dashboard_api.chart_data import (
    TODAY,
    connect,
    get,
    seed_alert,
    seed_campaign,
)
from tests.integration.dashboard_api.conftest import Tenant, new_member
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


async def _all_pages(
    client: httpx.AsyncClient, tenant: Tenant, path: str, **params: Any
) -> list[list[Any]]:
    pages, cursor = [], None
    while True:
        body = await get(client, tenant, path, **params, **({"cursor": cursor} if cursor else {}))
        pages.append(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


async def test_campaigns_filter_sort_page_and_show_their_budget_use(
    client: httpx.AsyncClient, services: Services, tenant: Tenant
) -> None:
    google = await connect(services, tenant, "google", "g-1")
    meta = await connect(services, tenant, "meta", "m-1")
    await seed_campaign(services, tenant, google, "Alpha", {0: ("10", 100, 1), 2: ("30", 100, 9)},
                    budget=("20", "daily"))  # fmt: skip
    await seed_campaign(services, tenant, google, "Beta", {1: ("50", 1000, 10), 40: ("500", 1, 1)},
                    budget=("1000", "lifetime"))  # fmt: skip
    await seed_campaign(services, tenant, google, "Gamma 100%_off", {3: ("50", 10, 5)})
    await seed_campaign(services, tenant, meta, "Delta", {0: ("5", 10, 0)}, platform="meta")
    await seed_campaign(services, tenant, meta, "Epsilon", {}, platform="meta")

    pages = await _all_pages(client, tenant, "/campaigns", limit=2)
    assert [len(page) for page in pages] == [2, 2, 1]
    ordered = [item["name"] for page in pages for item in page]
    assert ordered[:2] == ["Gamma 100%_off", "Beta"] or ordered[:2] == ["Beta", "Gamma 100%_off"]
    assert ordered[2:] == ["Alpha", "Delta", "Epsilon"]  # 40, 5, 0 over the last 30 days

    by_name = {item["name"]: item for page in pages for item in page}
    alpha, beta = by_name["Alpha"], by_name["Beta"]
    assert (alpha["budget_period"], alpha["spend_against_budget"], alpha["budget_used_pct"]) == (
        "daily", 10, 50,
    )  # fmt: skip
    assert (beta["spend"], beta["spend_against_budget"], beta["budget_used_pct"]) == (50, 550, 55)
    assert alpha["ctr"] == 5 and alpha["freshness"]["last_day_partial"] is True
    assert alpha["freshness"]["partial_reason"] == "today"

    by_budget = await _all_pages(client, tenant, "/campaigns", sort="budget_used_pct", limit=1)
    assert [page[0]["name"] for page in by_budget][:2] == ["Beta", "Alpha"]
    ascending = await get(client, tenant, "/campaigns", sort="name", order="asc")
    assert [item["name"] for item in ascending["items"]][:2] == ["Alpha", "Beta"]
    only_meta = await get(client, tenant, "/campaigns", platform="meta")
    assert {item["name"] for item in only_meta["items"]} == {"Delta", "Epsilon"}
    searched = await get(client, tenant, "/campaigns", search="100%_")
    assert [item["name"] for item in searched["items"]] == ["Gamma 100%_off"]

    first = await get(client, tenant, "/campaigns", limit=1)
    foreign = await client.get(
        f"/api/orgs/{tenant.org_id}/campaigns",
        headers=tenant.headers,
        params={"sort": "ctr", "cursor": first["next_cursor"]},
    )
    assert foreign.status_code == 422, foreign.text
    garbage = await client.get(
        f"/api/orgs/{tenant.org_id}/campaigns", headers=tenant.headers, params={"cursor": "abc"}
    )
    assert garbage.status_code == 422


async def test_one_campaign_has_a_daily_series_and_is_hidden_from_other_orgs(
    client: httpx.AsyncClient, services: Services, tenant: Tenant, other_tenant: Tenant
) -> None:
    google = await connect(services, tenant, "google", "g-2")
    await seed_campaign(services, tenant, google, "Solo", {0: ("10", 100, 1), 2: ("30", 100, 9)})
    [item] = (await get(client, tenant, "/campaigns"))["items"]
    first = (TODAY - timedelta(days=3)).isoformat()
    detail = await get(client, tenant, f"/campaigns/{item['id']}", **{"from": first})
    assert [point["spend"] for point in detail["daily"]] == [0, 30, 0, 10]
    assert detail["campaign"]["spend"] == 40

    theirs = await client.get(
        f"/api/orgs/{other_tenant.org_id}/campaigns/{item['id']}", headers=other_tenant.headers
    )
    missing = await client.get(
        f"/api/orgs/{other_tenant.org_id}/campaigns/{uuid.uuid4()}", headers=other_tenant.headers
    )
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()


async def test_metrics_over_time_by_day_and_week_in_total_and_per_platform(
    client: httpx.AsyncClient, services: Services, tenant: Tenant
) -> None:
    google = await connect(services, tenant, "google", "g-3")
    meta = await connect(services, tenant, "meta", "m-3")
    await seed_campaign(services, tenant, google, "G", {0: ("10", 100, 1), 8: ("30", 100, 9)})
    await seed_campaign(services, tenant, meta, "M", {0: ("5", 100, 4)}, platform="meta")
    first = TODAY - timedelta(days=13)
    daily = await get(client, tenant, "/metrics/timeseries", **{"from": first.isoformat()})
    assert len(daily["total"]) == 14 and daily["total"][-1]["spend"] == 15
    assert daily["total"][-1]["ctr"] == Decimal("2.5")
    assert daily["by_platform"]["meta"][-1]["clicks"] == 4
    assert daily["currencies"] == ["USD"]
    assert daily["freshness"]["last_day_partial"] is True
    weekly = await get(
        client, tenant, "/metrics/timeseries", granularity="week", **{"from": first.isoformat()}
    )
    assert sum(point["spend"] for point in weekly["total"]) == 45
    assert all(date.fromisoformat(p["period_start"]).weekday() == 0 for p in weekly["total"])


async def test_posts_page_newest_first_with_engagement(
    client: httpx.AsyncClient, services: Services, tenant: Tenant
) -> None:
    meta = await connect(services, tenant, "meta", "m-4")
    now = datetime.now(UTC)
    async with services.runtime.sessions() as session, session.begin():
        for index in range(5):
            session.add(
                Post(
                    org_id=tenant.org_id, integration_id=meta, platform="meta",
                    external_id=f"p{index}", text=f"post {index}",
                    published_at=now - timedelta(hours=index % 3),  # equal times: id breaks ties
                    likes=index, comments=1, shares=0, impressions=100,
                )
            )  # fmt: skip
    pages = await _all_pages(client, tenant, "/posts", limit=2)
    items = [item for page in pages for item in page]
    assert len(items) == 5 and len({item["id"] for item in items}) == 5
    times = [item["published_at"] for item in items]
    assert times == sorted(times, reverse=True)
    assert {item["engagement_rate"] for item in items if item["text"] == "post 4"} == {5}


async def test_alerts_list_and_commands_reach_alerting(
    client: httpx.AsyncClient, services: Services, tenant: Tenant, other_tenant: Tenant
) -> None:
    open_id = await seed_alert(services, tenant)
    closed_id = await seed_alert(services, tenant, "resolved")
    listed = await get(client, tenant, "/alerts")
    assert [item["id"] for item in listed["items"]] == [str(open_id)]
    resolved = await get(client, tenant, "/alerts", status="resolved", severity="critical")
    assert [item["id"] for item in resolved["items"]] == [str(closed_id)]

    base = f"/api/orgs/{tenant.org_id}/alerts"
    member = await new_member(services, tenant)
    refused = await client.post(f"{base}/{open_id}/acknowledge", headers=member.headers)
    assert refused.status_code == 403
    closed = await client.post(f"{base}/{closed_id}/resolve", headers=tenant.headers)
    assert closed.status_code == 409
    theirs = await client.post(
        f"/api/orgs/{other_tenant.org_id}/alerts/{open_id}/resolve", headers=other_tenant.headers
    )
    assert theirs.status_code == 404
    too_late = await client.post(
        f"{base}/{open_id}/snooze", headers=tenant.headers, json={"until": "2020-01-01T00:00:00Z"}
    )
    assert too_late.status_code == 422

    commands = await _commands_on_the_alerting_queue(services)
    until = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    snoozed = await client.post(
        f"{base}/{open_id}/snooze", headers=tenant.headers, json={"until": until}
    )
    assert snoozed.status_code == 202, snoozed.text
    command = await eventually_one(commands)
    assert isinstance(command, AlertCommand)
    assert (command.alert_id, str(command.event_id)) == (open_id, snoozed.json()["command_id"])

    await AlertCommands(lambda: AlertingUnitOfWork(services.runtime.sessions)).apply(command)
    shown = await get(client, tenant, f"/alerts/{open_id}")
    assert shown["snoozed_until"] is not None and shown["acknowledged_by"].endswith(".test")
    history = await _all_pages(client, tenant, f"/alerts/{open_id}/history", limit=1)
    assert [page[0]["action"] for page in history] == ["raised", "snoozed"]


async def _commands_on_the_alerting_queue(services: Services) -> list[AlertCommand]:
    """Collect what the relay publishes to alerting's queue (declared by every service)."""
    found: list[AlertCommand] = []
    connection = await aio_pika.connect_robust(services.settings.rabbit_url)
    channel = await connection.channel()
    queue = await channel.get_queue(services.runtime.topology.queue("alerting").name)

    async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        async with message.process():
            event = parse_event(message.body)
            if isinstance(event, AlertCommand):
                found.append(event)

    await queue.consume(on_message)
    return found


async def eventually_one(found: list[AlertCommand]) -> AlertCommand:
    await eventually(lambda: len(found) == 1)
    return found[0]
