"""sync.failed with will_retry becomes a durable retry dispatched as the next attempt of the
same run; final failures pause an integration, a success resumes it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cmis_scheduler.adapters.queries import next_syncs
from cmis_scheduler.bootstrap import SchedulerService
from cmis_shared.events import Event, SyncCompleted, SyncFailed, SyncTrigger
from cmis_shared.uow import UnitOfWork
from tests.integration.scheduler.conftest import StartScheduler, stop
from tests.integration.scheduler.world import METRICS_ONLY, QueueReader, World, settle
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


async def publish(service: SchedulerService, *events: Event) -> None:
    async with UnitOfWork(service.runtime.sessions) as uow:
        await uow.publish(*events)
        await uow.commit()


async def redeliver(service: SchedulerService, event: Event) -> None:
    """A duplicate delivery (same event id), straight onto the broker."""
    await service.runtime.broker.publish(
        event.to_json(), exchange=service.runtime.topology.exchange,
        routing_key=event.routing_key, persist=True, message_id=str(event.event_id),
    )  # fmt: skip


async def retrying_run(world: World, org: uuid.UUID, integration: uuid.UUID) -> dict[str, Any]:
    """A run the worker has just failed with a retry planned."""
    run = {"id": uuid.uuid4(), "correlation_id": uuid.uuid4()}
    await world.sql(
        "INSERT INTO sync_runs (id, org_id, integration_id, platform, data_type, trigger, "
        "correlation_id, status, attempt, counts) VALUES (:id, :org, :integration, 'google', "
        "'campaigns', 'manual', :correlation_id, 'retrying', 1, '{}')",
        org=org, integration=integration, **run,
    )  # fmt: skip
    return run


def failed(
    org: uuid.UUID, integration: uuid.UUID, run: dict[str, Any], **fields: Any
) -> SyncFailed:
    values: dict[str, Any] = {
        "org_id": org, "correlation_id": run["correlation_id"], "run_id": run["id"],
        "integration_id": integration, "platform": "google", "data_type": "campaigns",
        "trigger": "manual", "attempt": 1, "error_class": "platform_error",
        "message": "HTTP 503", "retryable": True, "will_retry": True,
    }  # fmt: skip
    return SyncFailed(**{**values, **fields})


async def test_retry_goes_out_as_the_next_attempt_of_the_same_run_once(
    world: World, start_scheduler: StartScheduler, worker_queue: QueueReader
) -> None:
    service = await start_scheduler()
    org = await world.org(METRICS_ONLY)
    [integration] = await world.integrations(org, 1)
    run = await retrying_run(world, org, integration)
    event = failed(org, integration, run, next_attempt_at=datetime.now(UTC) + timedelta(seconds=1))
    await publish(service, event)
    await redeliver(service, event)  # the same event again: still one retry
    await publish(service, failed(org, integration, run, next_attempt_at=event.next_attempt_at))

    async def retry_pending() -> bool:
        async with service.runtime.sessions() as session:
            return any(s.retry_due_at for s in await next_syncs(session, org))

    await eventually(retry_pending)
    await eventually(lambda: _requests(worker_queue, {integration}, 1))
    await settle(0.5)
    await worker_queue.read()
    [request] = worker_queue.requests({integration})
    assert (request.run_id, request.correlation_id) == (run["id"], run["correlation_id"])
    assert (request.trigger, request.attempt) == (SyncTrigger.RETRY, 2)
    [row] = await world.rows("SELECT status, attempt FROM sync_runs WHERE id = :id", id=run["id"])
    assert (row.status, row.attempt) == ("queued", 2)


async def test_a_retry_survives_a_scheduler_restart(
    world: World, start_scheduler: StartScheduler, worker_queue: QueueReader
) -> None:
    first = await start_scheduler()
    org = await world.org(METRICS_ONLY)
    [integration] = await world.integrations(org, 1)
    run = await retrying_run(world, org, integration)
    due = datetime.now(UTC) + timedelta(seconds=2)
    await publish(first, failed(org, integration, run, next_attempt_at=due))
    await eventually(lambda: _retry_rows(world, run["id"]))
    await stop(first)  # down before the retry is due

    await start_scheduler()
    await eventually(lambda: _requests(worker_queue, {integration}, 1))
    [request] = worker_queue.requests({integration})
    assert request.occurred_at >= due
    assert (request.run_id, request.attempt) == (run["id"], 2)


async def test_a_retry_waits_while_another_run_of_the_same_data_is_active(
    world: World, start_scheduler: StartScheduler, worker_queue: QueueReader
) -> None:
    service = await start_scheduler()
    org = await world.org(METRICS_ONLY)
    [integration] = await world.integrations(org, 1)
    run = await retrying_run(world, org, integration)
    other = await retrying_run(world, org, integration)
    await world.sql("UPDATE sync_runs SET status = 'running' WHERE id = :id", id=other["id"])
    await publish(service, failed(org, integration, run, next_attempt_at=datetime.now(UTC)))
    await eventually(lambda: _retry_rows(world, run["id"]))
    await settle(0.8)
    await worker_queue.read()
    assert worker_queue.requests({integration}) == []

    await world.sql("UPDATE sync_runs SET status = 'success' WHERE id = :id", id=other["id"])
    await eventually(lambda: _requests(worker_queue, {integration}, 1))
    assert worker_queue.requests({integration})[0].run_id == run["id"]


async def test_final_failures_over_a_day_pause_and_a_success_resumes(
    world: World, start_scheduler: StartScheduler, dashboard_queue: QueueReader
) -> None:
    service = await start_scheduler(pause_after_failures=3, pause_after_seconds=86400)
    org = await world.org(METRICS_ONLY)
    [integration] = await world.integrations(org, 1)
    now = datetime.now(UTC)
    run = {"id": uuid.uuid4(), "correlation_id": uuid.uuid4()}
    final = {"will_retry": False, "retryable": False, "error_class": "auth_revoked"}
    await publish(service, *(
        failed(org, integration, run, occurred_at=now - timedelta(days=days), **final)
        for days in (2, 1)
    ))  # fmt: skip
    await eventually(lambda: _failures(world, integration, 2))
    assert await _status(world, integration) == "active"

    await publish(service, failed(org, integration, run, occurred_at=now, **final))
    await eventually(lambda: _updates(dashboard_queue, integration, ["paused"]))
    assert await _status(world, integration) == "paused"
    assert not any(row.enabled for row in await world.entries([integration]))

    completed = SyncCompleted(
        org_id=org, run_id=uuid.uuid4(), integration_id=integration, platform="google",
        data_type="all", trigger="manual", attempt=1, started_at=now, finished_at=now,
        duration_ms=5,
    )  # fmt: skip
    await publish(service, completed)
    await eventually(lambda: _updates(dashboard_queue, integration, ["paused", "active"]))
    assert await _status(world, integration) == "active"
    assert await _failures(world, integration, 0)
    assert any(row.enabled for row in await world.entries([integration]))


async def _requests(queue: QueueReader, ids: set[uuid.UUID], expected: int) -> bool:
    await queue.read()
    return len(queue.requests(ids)) >= expected


async def _updates(queue: QueueReader, integration: uuid.UUID, statuses: list[str]) -> bool:
    await queue.read()
    return [u.status for u in queue.updates({integration})] == statuses


async def _retry_rows(world: World, run_id: uuid.UUID) -> bool:
    return bool(await world.rows("SELECT 1 FROM retry_entries WHERE run_id = :id", id=run_id))


async def _failures(world: World, integration: uuid.UUID, expected: int) -> bool:
    [row] = await world.rows(
        "SELECT consecutive_failures FROM integrations WHERE id = :id", id=integration
    )
    return bool(row.consecutive_failures == expected)


async def _status(world: World, integration: uuid.UUID) -> str:
    [row] = await world.rows("SELECT status FROM integrations WHERE id = :id", id=integration)
    return str(row.status)
