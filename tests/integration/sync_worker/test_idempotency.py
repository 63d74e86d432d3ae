"""Idempotency: the same request twice, the same message redelivered, a sync run twice."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import text

from cmis_shared.events import DataType, Platform, SyncCompleted, SyncStarted
from cmis_sync_worker.bootstrap import SyncWorker
from tests.integration.sync_worker.conftest import WorkerFactory
from tests.integration.sync_worker.stored import expected_metrics, stored_metrics
from tests.integration.sync_worker.world import (
    EventCollector,
    SeededIntegration,
    queue_run,
    seed_integration,
)
from tests.support.platform_sim import END_DATE, PlatformSim
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration
WINDOW = (END_DATE - timedelta(days=6), END_DATE)


async def _seed(worker: SyncWorker, sim: PlatformSim) -> SeededIntegration:
    account_id = sim.dataset.account_ids("tiktok")[1]
    account = sim.dataset.account("tiktok", account_id)
    return await seed_integration(
        worker.runtime.sessions, worker.settings, Platform.TIKTOK, account_id,
        currency=account.currency, timezone=account.timezone,
    )  # fmt: skip


async def _settle(worker: SyncWorker) -> None:
    """Let any further delivery be consumed (the queue drains; nothing more may happen)."""
    for consumer in worker.consumers:  # every lane
        queue = await worker.runtime.broker.declare_queue(consumer.queue)
        for _ in range(100):
            declared = await queue.channel.declare_queue(queue.name, passive=True)
            if declared.declaration_result.message_count == 0:
                break
            await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)  # an unacked delivery in flight finishes


async def _attempt_rows(worker: SyncWorker, run_id: uuid.UUID) -> int:
    async with worker.runtime.sessions() as session:
        return int(
            await session.scalar(
                text("SELECT count(*) FROM sync_attempts WHERE run_id = :id"), {"id": run_id}
            )
            or 0
        )


async def test_same_request_published_twice_has_one_outcome(
    worker: SyncWorker, collector: EventCollector, platform_sim: PlatformSim
) -> None:
    integration = await _seed(worker, platform_sim)
    request = await queue_run(worker.runtime.sessions, integration, DataType.METRICS, window=WINDOW)
    await collector.publish(request)
    await collector.publish(request)  # a duplicate publish: same event, same event_id
    await eventually(lambda: collector.outcome(request.run_id) is not None)
    await _settle(worker)
    assert len(collector.of(request.run_id, SyncStarted)) == 1
    assert len(collector.outcomes()[(request.run_id, 1)]) == 1
    assert await _attempt_rows(worker, request.run_id) == 1


async def test_redelivered_request_after_its_attempt_finished_has_no_effect(
    worker: SyncWorker, collector: EventCollector, platform_sim: PlatformSim
) -> None:
    integration = await _seed(worker, platform_sim)
    request = await queue_run(worker.runtime.sessions, integration, DataType.METRICS, window=WINDOW)
    await collector.publish(request)
    await eventually(lambda: collector.outcome(request.run_id) is not None)
    calls_before = platform_sim.calls()["total"]
    again = request.model_copy(update={"event_id": uuid.uuid4()})  # even under a new event id
    await collector.publish(request)
    await collector.publish(again)
    await _settle(worker)
    assert len(collector.of(request.run_id)) == 2  # started + completed, nothing more
    assert platform_sim.calls()["total"] == calls_before


async def test_attempt_whose_worker_died_mid_sync_completes_once(
    worker: SyncWorker, collector: EventCollector, platform_sim: PlatformSim
) -> None:
    integration = await _seed(worker, platform_sim)
    request = await queue_run(worker.runtime.sessions, integration, DataType.METRICS, window=WINDOW)
    async with worker.runtime.sessions() as session, session.begin():  # a dead worker's start
        await session.execute(
            text("UPDATE sync_runs SET status = 'running', started_at = now() WHERE id = :id;"),
            {"id": request.run_id},
        )
        await session.execute(
            text(
                "INSERT INTO sync_attempts (id, run_id, attempt, worker_id, started_at) "
                "VALUES (gen_random_uuid(), :id, 1, 'dead-worker', now())"
            ),
            {"id": request.run_id},
        )
    await collector.publish(request)
    await eventually(lambda: collector.outcome(request.run_id) is not None)
    assert isinstance(collector.outcome(request.run_id), SyncCompleted)
    assert collector.of(request.run_id, SyncStarted) == []
    assert await _attempt_rows(worker, request.run_id) == 1


async def test_syncing_twice_leaves_the_same_rows(
    worker: SyncWorker, collector: EventCollector, platform_sim: PlatformSim
) -> None:
    integration = await _seed(worker, platform_sim)
    sessions, iid = worker.runtime.sessions, integration.integration_id
    snapshots = []
    for _ in range(2):
        request = await queue_run(sessions, integration, DataType.METRICS, window=WINDOW)
        await collector.publish(request)
        await eventually(lambda r=request: collector.outcome(r.run_id) is not None)  # type: ignore[misc]
        snapshots.append(await stored_metrics(sessions, iid))
    want = expected_metrics(platform_sim.dataset, Platform.TIKTOK, integration.account_id, *WINDOW)
    assert snapshots[0] == snapshots[1] == want and len(want) == 7 * 8


async def test_two_workers_finishing_one_attempt_concurrently_emit_one_outcome(
    start_worker: WorkerFactory, collector: EventCollector, platform_sim: PlatformSim
) -> None:
    """Two deliveries of one attempt (the request and a manual-priority copy under another
    event id) run at once in two workers on the real database: one terminal event."""
    first, second = await start_worker(), await start_worker()
    integration = await _seed(first, platform_sim)
    request = await queue_run(first.runtime.sessions, integration, DataType.METRICS, window=WINDOW)
    copy = request.model_copy(update={"event_id": uuid.uuid4()})
    for _ in range(3):  # the race has several interleavings; each run must hold
        await asyncio.gather(first.handler.handle(request), second.handler.handle(copy))
    await eventually(lambda: collector.outcome(request.run_id) is not None)
    await _settle(first)
    assert len(collector.outcomes()[(request.run_id, 1)]) == 1
    assert await _attempt_rows(first, request.run_id) == 1
    async with first.runtime.sessions() as session:
        staged = await session.scalar(
            text("SELECT count(*) FROM outbox WHERE correlation_id = :c"),
            {"c": str(request.correlation_id)},
        )
    assert staged == 0  # nothing left to publish: no second outcome waiting either
