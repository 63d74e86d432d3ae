"""Backfill windows through a scheduler in the test process, over the real PostgreSQL,
RabbitMQ and Redis: windows go out two per integration with their dates, a running sync of
the same data type does not hold them back, outcomes advance the backfill once, a
disconnected account's pending windows are cancelled."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from cmis_shared.events import (
    BackfillStatus,
    IntegrationDisconnected,
    Platform,
    SyncCompleted,
    SyncRequested,
    SyncTrigger,
)
from tests.integration.scheduler.conftest import StartScheduler
from tests.integration.scheduler.test_retries_and_health import publish, redeliver
from tests.integration.scheduler.world import METRICS_ONLY, QueueReader, World, settle
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

END = date(2026, 6, 30)


async def _backfill(
    world: World, org: uuid.UUID, integration: uuid.UUID, windows: int
) -> uuid.UUID:
    backfill_id = uuid.uuid4()
    await world.sql(
        "INSERT INTO backfills (id, org_id, requested_by, correlation_id, since, until, "
        "integration_ids, data_types, status, windows_total) VALUES (:id, :org, 'ana', "
        "gen_random_uuid(), :since, :until, ARRAY[CAST(:integration AS uuid)], "
        "ARRAY['metrics'], 'running', :n)",
        id=backfill_id, org=org, integration=integration, n=windows,
        since=END - timedelta(days=30 * windows - 1), until=END,
    )  # fmt: skip
    for n in range(windows):
        await world.sql(
            "INSERT INTO backfill_windows (id, backfill_id, org_id, integration_id, platform, "
            "data_type, window_start, window_end, status) VALUES (gen_random_uuid(), :b, :org, "
            ":integration, 'google', 'metrics', :start, :end, 'pending')",
            b=backfill_id, org=org, integration=integration,
            start=END - timedelta(days=30 * (n + 1) - 1), end=END - timedelta(days=30 * n),
        )  # fmt: skip
    return backfill_id


def _backfill_requests(queue: QueueReader, integration: uuid.UUID) -> list[SyncRequested]:
    return [r for r in queue.requests({integration}) if r.trigger is SyncTrigger.BACKFILL]


def _completed(request: SyncRequested, rows: int) -> SyncCompleted:
    now = datetime.now(UTC)
    return SyncCompleted(
        org_id=request.org_id, correlation_id=request.correlation_id, run_id=request.run_id,
        integration_id=request.integration_id, platform=request.platform,
        data_type=request.data_type, trigger=SyncTrigger.BACKFILL, attempt=request.attempt,
        started_at=now, finished_at=now, duration_ms=0, counts={"metrics": rows},
    )  # fmt: skip


async def test_windows_go_out_two_at_a_time_and_outcomes_finish_the_backfill_once(
    world: World, start_scheduler: StartScheduler, worker_queue: QueueReader
) -> None:
    service = await start_scheduler()
    org = await world.org(METRICS_ONLY)
    [integration] = await world.integrations(org, 1)
    # A scheduled metrics sync of the same integration is running: backfill is not blocked.
    await world.sql(
        "INSERT INTO sync_runs (id, org_id, integration_id, platform, data_type, trigger, "
        "correlation_id, status, attempt) VALUES (gen_random_uuid(), :org, :i, 'google', "
        "'metrics', 'scheduled', gen_random_uuid(), 'running', 1)",
        org=org, i=integration,
    )  # fmt: skip
    backfill_id = await _backfill(world, org, integration, 3)

    async def sent(n: int) -> bool:
        await worker_queue.read()
        return len(_backfill_requests(worker_queue, integration)) >= n

    await eventually(lambda: sent(2))
    await settle(0.5)
    first, second = _backfill_requests(worker_queue, integration)[:2]
    assert len(_backfill_requests(worker_queue, integration)) == 2  # two in flight at most
    assert (first.window_end, second.window_end) == (END, END - timedelta(days=30))
    assert first.window_start == END - timedelta(days=29)

    done = _completed(first, rows=30)
    await publish(service, done)
    await redeliver(service, done)  # counted once
    await eventually(lambda: sent(3))
    third = _backfill_requests(worker_queue, integration)[2]
    await publish(service, _completed(second, rows=20), _completed(third, rows=10))

    async def finished() -> bool:
        [row] = await world.rows("SELECT status FROM backfills WHERE id = :id", id=backfill_id)
        return bool(row.status == BackfillStatus.COMPLETED)

    await eventually(finished)
    [row] = await world.rows(
        "SELECT windows_done, rows_stored, finished_at FROM backfills WHERE id = :id",
        id=backfill_id,
    )
    assert (row.windows_done, row.rows_stored) == (3, 60) and row.finished_at is not None
    runs = await world.rows(
        "SELECT count(*) AS n FROM sync_runs WHERE integration_id = :i AND trigger = 'backfill'",
        i=integration,
    )
    assert runs[0].n == 3


async def test_a_disconnected_account_s_pending_windows_are_cancelled(
    world: World, start_scheduler: StartScheduler, worker_queue: QueueReader
) -> None:
    service = await start_scheduler()
    org = await world.org(METRICS_ONLY)
    [integration] = await world.integrations(org, 1, status="paused")  # nothing goes out
    backfill_id = await _backfill(world, org, integration, 3)

    await publish(
        service,
        IntegrationDisconnected(org_id=org, integration_id=integration, platform=Platform.GOOGLE),
    )

    async def cancelled() -> bool:
        [row] = await world.rows(
            "SELECT status, windows_cancelled FROM backfills WHERE id = :id", id=backfill_id
        )
        return bool(row.status == BackfillStatus.CANCELLED and row.windows_cancelled == 3)

    await eventually(cancelled)
    await worker_queue.read()
    assert _backfill_requests(worker_queue, integration) == []
