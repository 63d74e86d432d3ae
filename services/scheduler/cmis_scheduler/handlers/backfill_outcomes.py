"""A backfill run's outcome moves its window and its backfill, inside the unit of work that
claimed the ``sync.completed`` / ``sync.failed`` (so a redelivery counts nothing twice), and
stages ``backfill.progressed`` for the live stream.

A failed attempt that the worker will retry goes back to pending for its next attempt: the
retry is the window's (the request carries its dates), not a retry entry."""

from __future__ import annotations

from uuid import UUID

import structlog

from cmis_scheduler.domain.backfill import (
    BackfillCounts,
    Progress,
    WindowOfRun,
    after_failure,
    window_cancelled,
    window_done,
    window_failed,
)
from cmis_scheduler.ports import SchedulerUnitOfWork
from cmis_shared.clock import Clock
from cmis_shared.events import BackfillProgressed, SyncCompleted, SyncFailed
from cmis_shared.statuses import WindowStatus

log = structlog.get_logger(__name__)


async def backfill_completed(event: SyncCompleted, uow: SchedulerUnitOfWork, clock: Clock) -> None:
    window = await uow.backfills.of_run(event.run_id)
    if window is None or window.window_status is not WindowStatus.DISPATCHED:
        return
    now = clock()
    rows = event.counts.get(window.data_type.value, 0)
    await uow.backfills.finish_window(window.window_id, WindowStatus.DONE, rows, now)
    await _record(uow, window, window_done(window.progress, rows), clock)


async def backfill_failed(event: SyncFailed, uow: SchedulerUnitOfWork, clock: Clock) -> None:
    window = await uow.backfills.of_run(event.run_id)
    if window is None or window.window_status is not WindowStatus.DISPATCHED:
        return
    now = clock()
    decision = after_failure(window.progress.status, event.will_retry, event.next_attempt_at, now)
    if decision.retry_at is not None:
        await uow.backfills.retry_window(window.window_id, event.run_id, decision.retry_at)
        return  # nothing counted yet: the window is still to do
    if decision.cancelled:
        await uow.backfills.finish_window(window.window_id, WindowStatus.CANCELLED, 0, now)
        await _record(uow, window, window_cancelled(window.progress), clock)
        return
    await uow.backfills.finish_window(window.window_id, WindowStatus.FAILED, 0, now)
    log.warning("backfill window failed", backfill_id=str(window.backfill_id),
                error_class=event.error_class.value)  # fmt: skip
    await _record(uow, window, window_failed(window.progress), clock)


async def integration_disconnected(
    integration_id: UUID, uow: SchedulerUnitOfWork, clock: Clock
) -> None:
    """A disconnected account's windows can never run: its pending ones are cancelled (a
    backfill would otherwise stay running for good)."""
    for backfill, cancelled in await uow.backfills.cancel_pending(integration_id, clock()):
        await _record(uow, backfill, window_cancelled(backfill.progress, cancelled), clock)


async def _record(
    uow: SchedulerUnitOfWork,
    window: WindowOfRun | BackfillCounts,
    progress: Progress,
    clock: Clock,
) -> None:
    now = clock()
    await uow.backfills.save(window.backfill_id, progress, now)
    event = BackfillProgressed(
        org_id=window.org_id,
        correlation_id=window.correlation_id,
        occurred_at=now,
        backfill_id=window.backfill_id,
        status=progress.status,
        windows_total=progress.windows_total,
        windows_done=progress.windows_done,
        windows_failed=progress.windows_failed,
        windows_cancelled=progress.windows_cancelled,
        rows_stored=progress.rows_stored,
    )
    await uow.publish(event)
