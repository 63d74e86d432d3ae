"""Two ``cmis-scheduler`` processes against one database and broker: every due entry is
requested exactly once, and a replica killed mid-dispatch (SIGKILL) and restarted makes no
entry go missing or out twice."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cmis_scheduler.bootstrap import reconcile_all
from cmis_scheduler.domain.schedule import ScheduleDefaults
from cmis_shared.settings import CmisSettings
from tests.integration.scheduler.world import METRICS_ONLY, QueueReader, World, settle
from tests.support.processes import ServiceProcess, service_env
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

SCRIPT = str(Path(sys.executable).parent / "cmis-scheduler")
INTEGRATIONS = 300


def replica(name: str, settings: CmisSettings, log_dir: Path) -> ServiceProcess:
    env = service_env(
        settings,
        CMIS_TICK_SECONDS="0.2",
        CMIS_OUTBOX_LEASE_SECONDS="2",
        CMIS_METRICS_PERIOD_SECONDS="3600",
        CMIS_CATCH_UP_AFTER_SECONDS="1",
        CMIS_CATCH_UP_SPREAD_SECONDS="6",
        CMIS_DEFAULT_RATE_BUDGET_PER_MINUTE="6000",
    )
    return ServiceProcess(name, [SCRIPT], env, log_dir)


async def fake_worker(queue: QueueReader, world: World) -> None:
    """Finishes every requested run at once, so a second claim of the same due entry would
    not be hidden by the one-active-run index: it would show as a second run and event."""
    finished: set[uuid.UUID] = set()
    while True:
        await queue.read()
        new = {r.run_id for r in queue.requests()} - finished
        if new:
            await world.sql(
                "UPDATE sync_runs SET status = 'success' WHERE id = ANY(:ids)", ids=list(new)
            )
            finished |= new
        await asyncio.sleep(0.05)


async def test_two_replicas_dispatch_each_due_entry_once_even_when_one_is_killed(
    world: World, settings: CmisSettings, worker_queue: QueueReader, tmp_path: Path
) -> None:
    org = await world.org(METRICS_ONLY)
    platforms = ("google", "meta", "tiktok", "linkedin", "twitter")
    ids = await world.integrations(org, INTEGRATIONS, platforms)
    await reconcile_all(world.sessions, ScheduleDefaults(), datetime.now(UTC))
    await world.make_due(ids, datetime.now(UTC) - timedelta(hours=2))  # missed while down

    first, second = replica("a", settings, tmp_path), replica("b", settings, tmp_path)
    worker: asyncio.Task[None] | None = None
    try:
        first.start()
        second.start()
        for process in (first, second):
            await asyncio.to_thread(process.wait_for_log, "schedule reconciled")
        worker = asyncio.create_task(fake_worker(worker_queue, world))  # queues now declared
        await eventually(lambda: _seen(worker_queue, ids, at_least=INTEGRATIONS // 6), within=60)
        await asyncio.to_thread(first.kill)  # mid-dispatch, no goodbye
        await settle(0.5)
        first = replica("a", settings, tmp_path).start()
        await eventually(lambda: _seen(worker_queue, ids, at_least=INTEGRATIONS), within=30)
        await settle(3)  # a killed relay's leased rows come back after 2 s: still one event
        await worker_queue.read()
    finally:
        if worker is not None:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
        for process in (first, second):
            await asyncio.to_thread(process.terminate)

    events_per_integration: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for request in worker_queue.requests(set(ids)):
        events_per_integration[request.integration_id].add(request.event_id)
    assert set(events_per_integration) == set(ids), "an entry was missed"
    doubled = {i: e for i, e in events_per_integration.items() if len(e) > 1}
    assert doubled == {}, f"{len(doubled)} entries dispatched twice"
    [runs] = await world.rows(
        "SELECT count(*) AS n FROM sync_runs WHERE integration_id = ANY(:ids)", ids=ids
    )
    assert runs.n == INTEGRATIONS


async def _seen(queue: QueueReader, ids: list[uuid.UUID], at_least: int) -> bool:
    await queue.read()
    return len({r.integration_id for r in queue.requests(set(ids))}) >= at_least
