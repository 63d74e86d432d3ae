"""Use cases triggered by events on the scheduler's queue; each runs in one unit of work
with its inbox claim, so a redelivered event has no second effect."""

from __future__ import annotations

from uuid import UUID

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cmis_scheduler.adapters import integration_facts as facts
from cmis_scheduler.adapters.entries_store import EntriesStore
from cmis_scheduler.adapters.retry_store import add_retry
from cmis_scheduler.domain.health import (
    HealthPolicy,
    is_health_pause,
    pause_message,
    should_pause,
)
from cmis_scheduler.domain.schedule import ScheduleDefaults
from cmis_scheduler.handlers.reconcile import reconcile_integrations
from cmis_scheduler.ports import Clock
from cmis_shared.events import (
    IntegrationConnected,
    IntegrationDisconnected,
    IntegrationUpdated,
    SyncCompleted,
    SyncFailed,
)
from cmis_shared.uow import UnitOfWork

CONSUMER = "scheduler"
log = structlog.get_logger(__name__)


class EventHandlers:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        defaults: ScheduleDefaults,
        policy: HealthPolicy,
        clock: Clock,
    ) -> None:
        self._sessions = sessions
        self._defaults = defaults
        self._policy = policy
        self._clock = clock

    async def on_integration(
        self, event: IntegrationConnected | IntegrationUpdated | IntegrationDisconnected
    ) -> None:
        """The row is the truth (events may arrive out of order): re-plan from it."""
        async with UnitOfWork(self._sessions) as uow:
            if not await uow.claim_event(CONSUMER, event.event_id):
                return
            now = self._clock.now()
            if isinstance(event, IntegrationConnected):  # a (re)connect starts a fresh streak
                await facts.reset_failures(uow.session, event.integration_id, now)
            await facts.clear_token_expired(uow.session, event.integration_id, now)
            await self._replan(uow, event.integration_id)
            await uow.commit()

    async def on_sync_failed(self, event: SyncFailed) -> None:
        async with UnitOfWork(self._sessions) as uow:
            if not await uow.claim_event(CONSUMER, event.event_id):
                return
            if event.will_retry:
                await add_retry(uow.session, event, event.next_attempt_at or event.occurred_at)
            else:
                await self._count_final_failure(uow, event)
            await uow.commit()

    async def _count_final_failure(self, uow: UnitOfWork, event: SyncFailed) -> None:
        row = await facts.record_final_failure(uow.session, event.integration_id, event.occurred_at)
        if row is None or row.status != "active":
            return
        if not should_pause(
            self._policy, row.consecutive_failures, row.first_failure_at, event.occurred_at
        ):
            return
        paused = await facts.set_status(
            uow.session, row.id, "paused", pause_message(row.consecutive_failures)
        )
        log.warning(
            "integration paused", integration_id=str(row.id), failures=row.consecutive_failures
        )
        await uow.publish(facts.updated_event(paused, self._clock.now(), event.correlation_id))
        await self._replan(uow, row.id)

    async def on_sync_completed(self, event: SyncCompleted) -> None:
        async with UnitOfWork(self._sessions) as uow:
            if not await uow.claim_event(CONSUMER, event.event_id):
                return
            row = await facts.reset_failures(uow.session, event.integration_id, event.finished_at)
            if row is not None and is_health_pause(row.status, row.status_reason):
                resumed = await facts.set_status(uow.session, row.id, "active", None)
                log.info("integration resumed", integration_id=str(row.id))
                await uow.publish(
                    facts.updated_event(resumed, self._clock.now(), event.correlation_id)
                )
                await self._replan(uow, row.id)
            await uow.commit()

    async def _replan(self, uow: UnitOfWork, integration_id: UUID) -> None:
        store = EntriesStore(uow.session, self._defaults)
        await reconcile_integrations(store, [integration_id], self._clock.now())
