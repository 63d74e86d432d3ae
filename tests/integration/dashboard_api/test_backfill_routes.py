"""Backfill routes over the real PostgreSQL: planned windows, overlap, gaps from daily
metrics, only-gaps in one call, list, cancel; another organization sees nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from cmis_dashboard_api.bootstrap import Services
from tests.integration.dashboard_api.conftest import Tenant
from tests.integration.dashboard_api.test_dashboard_view import connect

pytestmark = pytest.mark.integration

UNTIL = datetime.now(UTC).date() - timedelta(days=1)
SINCE = UNTIL - timedelta(days=59)


async def _windows(services: Services, integration_id: uuid.UUID) -> list[Any]:
    async with services.runtime.sessions() as session:
        rows = await session.execute(
            text("SELECT window_start, window_end, status FROM backfill_windows "
                 "WHERE integration_id = :id ORDER BY window_start"),
            {"id": integration_id},
        )  # fmt: skip
        return list(rows.all())


async def _metric_days(
    services: Services, tenant: Tenant, iid: uuid.UUID, days: list[date]
) -> None:
    async with services.runtime.sessions() as session, session.begin():
        for day in days:
            await session.execute(
                text("INSERT INTO daily_metrics (integration_id, campaign_external_id, day, "
                     "org_id, currency, impressions, clicks, spend, conversions, "
                     "conversion_value) VALUES (:iid, 'c1', :day, :org, 'USD', 1, 0, 0, 0, 0)"),
                {"iid": iid, "day": day, "org": tenant.org_id},
            )  # fmt: skip


async def test_a_range_is_planned_once_and_overlaps_add_only_new_days(
    client: httpx.AsyncClient, services: Services, tenant: Tenant
) -> None:
    iid = await connect(services, tenant)
    url = f"/api/orgs/{tenant.org_id}/backfills"
    body = {"since": SINCE.isoformat(), "until": UNTIL.isoformat()}
    first = await client.post(url, headers=tenant.headers, json=body)
    assert first.status_code == 202, first.text
    assert first.json()["windows_total"] == 2  # 60 days in Google's 31-day windows
    later = {"since": (SINCE + timedelta(days=30)).isoformat(),
             "until": (UNTIL + timedelta(days=1)).isoformat()}  # fmt: skip
    second = await client.post(url, headers=tenant.headers, json=later)
    assert second.status_code == 202, second.text
    assert second.json()["windows_total"] == 1  # only today is new

    windows = await _windows(services, iid)
    days = [w.window_start + timedelta(days=n) for w in windows
            for n in range((w.window_end - w.window_start).days + 1)]  # fmt: skip
    assert len(days) == len(set(days)) == 61 and all(w.status == "pending" for w in windows)
    assert all((w.window_end - w.window_start).days < 31 for w in windows)

    listed = await client.get(url, headers=tenant.headers)
    assert [b["id"] for b in listed.json()["backfills"]] == [second.json()["id"],
                                                             first.json()["id"]]  # fmt: skip


async def test_gaps_are_listed_and_filled_in_one_call(
    client: httpx.AsyncClient, services: Services, tenant: Tenant
) -> None:
    iid = await connect(services, tenant)
    missing = {SINCE + timedelta(days=10), SINCE + timedelta(days=11), UNTIL}
    await _metric_days(services, tenant, iid,
                       [SINCE + timedelta(days=n) for n in range(60)
                        if SINCE + timedelta(days=n) not in missing])  # fmt: skip
    gaps = await client.get(
        f"/api/orgs/{tenant.org_id}/sync/gaps",
        headers=tenant.headers,
        params={"since": SINCE.isoformat(), "until": UNTIL.isoformat()},
    )
    assert gaps.status_code == 200, gaps.text
    [entry] = gaps.json()["integrations"]
    assert entry["missing_days"] == 3
    assert [(g["start"], g["end"]) for g in entry["gaps"]] == [
        ((SINCE + timedelta(days=10)).isoformat(), (SINCE + timedelta(days=11)).isoformat()),
        (UNTIL.isoformat(), UNTIL.isoformat()),
    ]

    filled = await client.post(
        f"/api/orgs/{tenant.org_id}/backfills", headers=tenant.headers,
        json={"since": SINCE.isoformat(), "until": UNTIL.isoformat(), "only_gaps": True},
    )  # fmt: skip
    assert filled.status_code == 202, filled.text
    assert filled.json()["windows_total"] == 2
    assert [(w.window_start, w.window_end) for w in await _windows(services, iid)] == [
        (SINCE + timedelta(days=10), SINCE + timedelta(days=11)),
        (UNTIL, UNTIL),
    ]


async def test_cancel_stops_pending_windows_and_other_orgs_see_nothing(
    client: httpx.AsyncClient, services: Services, tenant: Tenant, other_tenant: Tenant
) -> None:
    iid = await connect(services, tenant)
    url = f"/api/orgs/{tenant.org_id}/backfills"
    body = {"since": SINCE.isoformat(), "until": UNTIL.isoformat()}
    created = await client.post(url, headers=tenant.headers, json=body)
    backfill_id = created.json()["id"]
    assert (await client.get(f"/api/orgs/{other_tenant.org_id}/backfills/{backfill_id}",
                             headers=other_tenant.headers)).status_code == 404  # fmt: skip

    cancelled = await client.post(f"{url}/{backfill_id}/cancel", headers=tenant.headers)

    assert cancelled.status_code == 200, cancelled.text
    body = cancelled.json()
    assert (body["status"], body["windows_cancelled"], body["windows_pending"]) == (
        "cancelled",
        2,
        0,
    )
    assert {w.status for w in await _windows(services, iid)} == {"cancelled"}
    fetched = await client.get(f"{url}/{backfill_id}", headers=tenant.headers)
    assert fetched.json()["status"] == "cancelled" and fetched.json()["finished_at"]
