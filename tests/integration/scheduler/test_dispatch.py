"""Due entries become queued runs and sync.requested exactly once; dead tokens are held
back and reported once; entries missed during downtime are spread when it ends."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from cmis_shared.events import SyncTrigger
from tests.integration.scheduler.conftest import StartScheduler
from tests.integration.scheduler.world import METRICS_ONLY, QueueReader, World, settle
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


async def test_due_entries_are_requested_once_with_a_queued_run(
    world: World, start_scheduler: StartScheduler, worker_queue: QueueReader
) -> None:
    org = await world.org(METRICS_ONLY)
    ids = await world.integrations(org, 40, ("google", "meta", "tiktok", "linkedin", "twitter"))
    await start_scheduler(metrics_period_seconds=3600)
    await world.make_due(ids, datetime.now(UTC) - timedelta(seconds=1))

    await eventually(lambda: _count(worker_queue, set(ids), 40))
    await settle(0.5)
    requests = worker_queue.requests(set(ids))
    assert Counter(r.integration_id for r in requests) == Counter({i: 1 for i in ids})
    assert {(r.trigger, r.attempt, r.data_type) for r in requests} == {
        (SyncTrigger.SCHEDULED, 1, "metrics")
    }
    # Built in SQL from one template event: each its own id, the org and platform of its entry.
    assert {r.org_id for r in requests} == {org} and len({r.event_id for r in requests}) == 40
    platforms = await world.rows(
        "SELECT id, platform FROM integrations WHERE id = ANY(:ids)", ids=ids
    )
    assert {(r.integration_id, r.platform.value) for r in requests} == {
        (row.id, row.platform) for row in platforms
    }
    runs = await world.rows(
        "SELECT id, status, trigger, correlation_id FROM sync_runs "
        "WHERE integration_id = ANY(:ids)",
        ids=ids,
    )
    assert {(run.id, run.correlation_id) for run in runs} == {
        (r.run_id, r.correlation_id) for r in requests
    }
    assert {(run.status, run.trigger) for run in runs} == {("queued", "scheduled")}
    now = datetime.now(UTC)
    assert all(row.next_due_at > now + timedelta(minutes=20) for row in await world.entries(ids))


async def test_an_entry_whose_previous_run_is_still_queued_is_skipped(
    world: World, start_scheduler: StartScheduler, worker_queue: QueueReader
) -> None:
    org = await world.org(METRICS_ONLY)
    [integration] = await world.integrations(org, 1)
    await start_scheduler(metrics_period_seconds=3600)
    await world.make_due([integration], datetime.now(UTC))
    await eventually(lambda: _count(worker_queue, {integration}, 1))
    await world.make_due([integration], datetime.now(UTC))  # due again; run still queued
    await eventually(lambda: _advanced(world, integration))
    await settle(0.3)
    await worker_queue.read()
    assert len(worker_queue.requests({integration})) == 1


async def test_dead_token_is_not_dispatched_and_reported_once(
    world: World, start_scheduler: StartScheduler,
    worker_queue: QueueReader, dashboard_queue: QueueReader,
) -> None:  # fmt: skip
    org = await world.org(METRICS_ONLY)
    expired = datetime.now(UTC) - timedelta(hours=1)
    [dead] = await world.integrations(org, 1, ("meta",), token_expires_at=expired)
    [renewable] = await world.integrations(
        org, 1, ("meta",), token_expires_at=expired, refreshable=True
    )
    await start_scheduler(metrics_period_seconds=1)  # due every second
    await world.make_due([dead, renewable], datetime.now(UTC))

    async def reported() -> bool:
        await dashboard_queue.read()
        return bool(dashboard_queue.updates({dead}))

    await eventually(reported)
    await settle(1.5)  # several more periods: the dead one stays held back, reported once
    await dashboard_queue.read()
    await worker_queue.read()
    updates = dashboard_queue.updates({dead})
    assert [(u.status, u.status_reason) for u in updates] == [("active", "token_expired")]
    assert len(worker_queue.requests({renewable})) == 1  # its run is still queued
    assert worker_queue.requests({dead}) == []
    [row] = await world.rows("SELECT status_reason FROM integrations WHERE id = :id", id=dead)
    assert row.status_reason == "token_expired"


async def test_entries_missed_during_downtime_go_out_once_spread_over_the_window(
    world: World, start_scheduler: StartScheduler, worker_queue: QueueReader
) -> None:
    org = await world.org(METRICS_ONLY)
    ids = await world.integrations(org, 60, ("google", "twitter"))
    first = await start_scheduler(metrics_period_seconds=3600)
    await first.runtime.stop_background()  # "down": nothing dispatches
    await world.make_due(ids, datetime.now(UTC) - timedelta(hours=3))

    restart = datetime.now(UTC)
    await start_scheduler(
        metrics_period_seconds=3600, catch_up_after_seconds=60, catch_up_spread_seconds=3
    )
    await eventually(lambda: _count(worker_queue, set(ids), 60))
    await settle(0.5)
    await worker_queue.read()
    requests = worker_queue.requests(set(ids))
    assert Counter(r.integration_id for r in requests) == Counter({i: 1 for i in ids})
    spread = sorted((r.occurred_at - restart).total_seconds() for r in requests)
    assert spread[-1] - spread[0] > 1.5, "caught-up entries were dumped at once"


async def _count(queue: QueueReader, ids: set, expected: int) -> bool:  # type: ignore[type-arg]
    await queue.read()
    return len(queue.requests(ids)) >= expected


async def _advanced(world: World, integration: object) -> bool:
    [row] = await world.entries([integration])  # type: ignore[list-item]
    return bool(row.next_due_at > datetime.now(UTC) + timedelta(minutes=20))
