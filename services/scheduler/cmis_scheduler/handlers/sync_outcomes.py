"""``sync.failed`` and ``sync.completed``: a failure to be retried becomes a durable retry
entry; final failures count toward pausing the integration; a success clears the streak and
resumes an integration this policy paused. Each in one unit of work with its inbox claim.

Backfill runs move their window instead (:mod:`cmis_scheduler.handlers.backfill_outcomes`):
their retries are the window's, and their failures do not count toward pausing the
integration (the schedule's own syncs judge its health)."""

from __future__ import annotations

import structlog

from cmis_scheduler.domain.health import (
    HealthPolicy,
    is_health_pause,
    pause_message,
    should_pause,
)
from cmis_scheduler.domain.integrations import updated_event
from cmis_scheduler.handlers.backfill_outcomes import backfill_completed, backfill_failed
from cmis_scheduler.handlers.integration_events import CONSUMER, replan
from cmis_scheduler.ports import SchedulerUnitOfWork
from cmis_shared.clock import Clock
from cmis_shared.events import IntegrationStatus, SyncCompleted, SyncFailed, SyncTrigger

log = structlog.get_logger(__name__)


async def on_sync_failed(
    event: SyncFailed, uow: SchedulerUnitOfWork, policy: HealthPolicy, clock: Clock
) -> None:
    async with uow:
        if not await uow.claim_event(CONSUMER, event.event_id):
            return
        if event.trigger is SyncTrigger.BACKFILL:
            await backfill_failed(event, uow, clock)
        elif event.will_retry:
            await uow.retries.add(event, event.next_attempt_at or event.occurred_at)
        else:
            await _count_final_failure(event, uow, policy, clock)
        await uow.commit()


async def _count_final_failure(
    event: SyncFailed, uow: SchedulerUnitOfWork, policy: HealthPolicy, clock: Clock
) -> None:
    row = await uow.integrations.record_final_failure(event.integration_id, event.occurred_at)
    if row is None or row.status != IntegrationStatus.ACTIVE:
        return
    if not should_pause(policy, row.consecutive_failures, row.first_failure_at, event.occurred_at):
        return
    paused = await uow.integrations.set_status(
        row.id, IntegrationStatus.PAUSED, pause_message(row.consecutive_failures)
    )
    log.warning("integration paused", integration_id=str(row.id), failures=row.consecutive_failures)
    await uow.publish(updated_event(paused, clock(), event.correlation_id))
    await replan(uow, row.id, clock)


async def on_sync_completed(event: SyncCompleted, uow: SchedulerUnitOfWork, clock: Clock) -> None:
    async with uow:
        if not await uow.claim_event(CONSUMER, event.event_id):
            return
        if event.trigger is SyncTrigger.BACKFILL:
            await backfill_completed(event, uow, clock)
        row = await uow.integrations.reset_failures(event.integration_id, event.finished_at)
        if row is not None and is_health_pause(row.status, row.status_reason):
            resumed = await uow.integrations.set_status(row.id, IntegrationStatus.ACTIVE, None)
            log.info("integration resumed", integration_id=str(row.id))
            await uow.publish(updated_event(resumed, clock(), event.correlation_id))
            await replan(uow, row.id, clock)
        await uow.commit()
