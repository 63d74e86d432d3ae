"""The stuck-run sweep on PostgreSQL and the broker: a run whose request was lost ends as
one ``sync.failed`` (timeout) with its retry; a run a worker finished, or is finishing right
now, is left alone."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text as SqlText

from cmis_scheduler.adapters.unit_of_work import SqlUnitOfWork
from cmis_scheduler.domain.retry import RetryDecision
from cmis_scheduler.domain.schedule import ScheduleDefaults
from cmis_shared.events import ErrorClass, SyncFailed
from cmis_shared.statuses import RunStatus
from tests.integration.scheduler.conftest import StartScheduler
from tests.integration.scheduler.world import METRICS_ONLY, QueueReader, World, settle
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


async def active_run(
    world: World, org: uuid.UUID, integration: uuid.UUID, status: RunStatus, age: timedelta
) -> uuid.UUID:
    run_id, at = uuid.uuid4(), datetime.now(UTC) - age
    await world.sql(
        "INSERT INTO sync_runs (id, org_id, integration_id, platform, data_type, trigger, "
        "correlation_id, status, attempt, requested_at, started_at, counts) VALUES (:id, :org, "
        ":integration, 'google', 'metrics', 'scheduled', gen_random_uuid(), :status, 1, :at, "
        ":started, '{}')",
        id=run_id, org=org, integration=integration, status=status.value, at=at,
        started=at if status is RunStatus.RUNNING else None,
    )  # fmt: skip
    if status is RunStatus.RUNNING:
        await world.sql(
            "INSERT INTO sync_attempts (id, run_id, attempt, worker_id, started_at) "
            "VALUES (gen_random_uuid(), :id, 1, 'worker-1', :at)",
            id=run_id, at=at,
        )  # fmt: skip
    return run_id


def timeouts(queue: QueueReader, run_id: uuid.UUID) -> list[SyncFailed]:
    return [e for e in queue.events if isinstance(e, SyncFailed) and e.run_id == run_id]


async def test_a_run_stuck_queued_with_its_request_lost_fails_once_and_retries(
    world: World, start_scheduler: StartScheduler, dashboard_queue: QueueReader
) -> None:
    await start_scheduler(stuck_sweep_seconds=0.2)
    org = await world.org(METRICS_ONLY)
    [one, two] = await world.integrations(org, 2)
    lost = await active_run(world, org, one, RunStatus.QUEUED, timedelta(hours=1))
    fresh = await active_run(world, org, two, RunStatus.RUNNING, timedelta(minutes=1))

    async def failed_once() -> bool:
        await dashboard_queue.read()
        return len(timeouts(dashboard_queue, lost)) == 1

    await eventually(failed_once)
    await settle(0.6)  # further sweeps: still one event
    await dashboard_queue.read()
    [event] = timeouts(dashboard_queue, lost)
    assert event.error_class is ErrorClass.TIMEOUT and event.will_retry and event.attempt == 1
    [run] = await world.rows("SELECT status, error_class FROM sync_runs WHERE id = :id", id=lost)
    assert (run.status, run.error_class) == (RunStatus.RETRYING, "timeout")
    [attempt] = await world.rows(
        "SELECT finished_at, error_class FROM sync_attempts WHERE run_id = :id", id=lost
    )
    assert attempt.finished_at is not None and attempt.error_class == "timeout"
    [retry] = await world.rows("SELECT attempt FROM retry_entries WHERE run_id = :id", id=lost)
    assert retry.attempt == 2
    assert timeouts(dashboard_queue, fresh) == []


async def test_a_run_the_worker_finished_or_is_finishing_is_left_alone(
    world: World, start_scheduler: StartScheduler
) -> None:
    await start_scheduler()
    org = await world.org(METRICS_ONLY)
    [one, two] = await world.integrations(org, 2)
    finished = await active_run(world, org, one, RunStatus.RUNNING, timedelta(hours=1))
    finishing = await active_run(world, org, two, RunStatus.RUNNING, timedelta(hours=1))
    now = datetime.now(UTC)
    async with SqlUnitOfWork(world.sessions, ScheduleDefaults()) as uow:
        seen = {run.run_id: run for run in await uow.runs.active_before(now, 100)}
    # The worker finishes the first attempt after the sweep read it as running.
    await world.sql(
        "UPDATE sync_attempts SET finished_at = now(), outcome = 'success' WHERE run_id = :id",
        id=finished,
    )  # fmt: skip
    decision = RetryDecision(True, now + timedelta(minutes=1))
    async with world.sessions() as worker, worker.begin():
        # A worker holds the second run (its start or finish transaction is open).
        await worker.execute(
            SqlText("SELECT 1 FROM sync_runs WHERE id = :id FOR UPDATE"), {"id": finishing}
        )
        async with SqlUnitOfWork(world.sessions, ScheduleDefaults()) as uow:
            assert not await uow.runs.time_out(seen[finished], now, "stuck", decision)
            assert not await uow.runs.time_out(seen[finishing], now, "stuck", decision)
            await uow.commit()

    rows = await world.rows(
        "SELECT r.status, a.error_class FROM sync_runs r JOIN sync_attempts a ON a.run_id = r.id "
        "WHERE r.id = ANY(:ids)",
        ids=[finished, finishing],
    )  # fmt: skip
    assert [(row.status, row.error_class) for row in rows] == [("running", None)] * 2
