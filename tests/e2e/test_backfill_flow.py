"""A year of history on demand, through the running system: the API plans the windows, the
scheduler sends them below the schedule, the worker reads them, progress reaches the API and
the live stream. Worker and scheduler are SIGKILLed midway and started again: the backfill
still completes once, every window once, with exactly the simulator's rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from cmis_shared.db.engine import create_engine, create_session_factory
from cmis_shared.events import Platform
from cmis_sync_worker.domain.window import account_today
from tests.e2e.conftest import System, Tenant
from tests.e2e.helpers import LiveStream, connect
from tests.support.waiting import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]


async def _backfill(tenant: Tenant, backfill_id: str) -> dict[str, Any]:
    response = await tenant.client.get(f"/api/orgs/{tenant.org_id}/backfills/{backfill_id}")
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _rows(system: System, sql: str, **params: Any) -> list[Any]:
    engine = create_engine(system.settings)
    try:
        async with create_session_factory(engine)() as session:
            return list((await session.execute(text(sql), params)).all())
    finally:
        await engine.dispose()


async def test_a_year_backfill_survives_sigkill_and_completes_once(
    system: System, tenant: Tenant
) -> None:
    integration = await connect(system, tenant, Platform.GOOGLE, 0)
    account = system.sim.dataset.account("google", integration["account_id"])
    until = account_today(datetime.now(UTC), account.timezone) - timedelta(days=1)
    since = until - timedelta(days=364)
    url = f"/api/orgs/{tenant.org_id}/backfills"
    body = {
        "since": since.isoformat(),
        "until": until.isoformat(),
        "integration_ids": [integration["id"]],
        "data_types": ["metrics"],
    }
    async with LiveStream(system, tenant).open() as live:
        response = await tenant.client.post(url, json=body)
        assert response.status_code == 202, response.text
        backfill = response.json()
        assert backfill["status"] == "running" and backfill["windows_total"] == 12  # 31-day

        async def some_done() -> bool:
            return (await _backfill(tenant, backfill["id"]))["windows_done"] >= 2

        await eventually(some_done, within=120, every=0.2)
        for name in ("sync-worker", "scheduler"):
            system.processes[name].kill()  # SIGKILL, mid-backfill
        for name in ("sync-worker", "scheduler"):
            system.processes[name].start()  # what the process supervisor does

        async def finished() -> bool:
            return (await _backfill(tenant, backfill["id"]))["status"] != "running"

        await eventually(finished, within=300, every=0.5)
        done = await _backfill(tenant, backfill["id"])
        await eventually(
            lambda: any(
                event == "backfill" and data["status"] == "completed"
                for event, data in live.messages
            ),
            within=30,
        )
    assert done["status"] == "completed", (done, system.logs())
    assert done["windows_done"] == done["windows_total"] == 12 and done["windows_pending"] == 0
    progress = [d["windows_done"] for e, d in live.messages if e == "backfill"]
    assert progress == sorted(progress) and progress[-1] == 12

    # Every window completed once: one successful backfill run per window.
    [(runs,)] = await _rows(
        system,
        "SELECT count(*) FROM sync_runs WHERE integration_id = :id AND trigger = 'backfill' "
        "AND status = 'success'",
        id=integration["id"],
    )
    assert runs == 12
    # Exactly the simulator's rows for the year: none missing, none twice.
    expected = {
        (row.campaign_external_id, row.day)
        for row in system.sim.dataset.daily_metrics(
            "google", integration["account_id"], since, until
        )
    }
    stored = await _rows(
        system,
        "SELECT campaign_external_id, day FROM daily_metrics WHERE integration_id = :id "
        "AND day BETWEEN :since AND :until",
        id=integration["id"], since=since, until=until,
    )  # fmt: skip
    assert len(stored) == len(set(stored)) == len(expected)
    assert {(r.campaign_external_id, r.day) for r in stored} == expected
    assert done["rows_stored"] >= len(expected)

    # The same year again adds no work.
    again = await tenant.client.post(url, json=body)
    assert again.status_code == 202, again.text
    assert (again.json()["status"], again.json()["windows_total"]) == ("completed", 0)


async def test_backfill_requests_the_platforms_cannot_serve_are_refused(
    system: System, tenant: Tenant
) -> None:
    integration = await connect(system, tenant, Platform.META, 0)
    url = f"/api/orgs/{tenant.org_id}/backfills"
    today = datetime.now(UTC).date()
    cases = [
        ({"since": "2025-05-02", "until": "2025-05-01"}, 422, "since must not be after until"),
        ({"since": today.isoformat(), "until": (today + timedelta(days=3)).isoformat()}, 422,
         "after today"),
        ({"since": "2020-01-01", "until": "2020-02-01"}, 422, "37 months"),
        ({"since": "2025-01-01", "until": "2025-01-31",
          "integration_ids": [str(tenant.org_id)]}, 404, "integration not found"),
    ]  # fmt: skip
    for body, status, message in cases:
        response = await tenant.client.post(
            url, json={"integration_ids": [integration["id"]], **body}
        )
        assert response.status_code == status, response.text
        assert message in response.json()["error"]["message"]
