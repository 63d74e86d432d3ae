"""``integration.*``: re-plan the integration's schedule entries from its row (the row is
the truth, since events may arrive out of order), in one unit of work with the inbox claim;
a disconnected integration's pending backfill windows are cancelled."""

from __future__ import annotations

from typing import TypeAlias
from uuid import UUID

from cmis_scheduler.handlers.backfill_outcomes import integration_disconnected
from cmis_scheduler.handlers.reconcile import reconcile_integrations
from cmis_scheduler.ports import SchedulerUnitOfWork
from cmis_shared.clock import Clock
from cmis_shared.events import IntegrationConnected, IntegrationDisconnected, IntegrationUpdated

CONSUMER = "scheduler"

IntegrationEvent: TypeAlias = IntegrationConnected | IntegrationUpdated | IntegrationDisconnected


async def on_integration(event: IntegrationEvent, uow: SchedulerUnitOfWork, clock: Clock) -> None:
    async with uow:
        if not await uow.claim_event(CONSUMER, event.event_id):
            return
        now = clock()
        if isinstance(event, IntegrationConnected):  # a (re)connect starts a fresh streak
            await uow.integrations.reset_failures(event.integration_id, now)
        await uow.integrations.clear_token_expired(event.integration_id, now)
        await replan(uow, event.integration_id, clock)
        if isinstance(event, IntegrationDisconnected):
            await integration_disconnected(event.integration_id, uow, clock)
        await uow.commit()


async def replan(uow: SchedulerUnitOfWork, integration_id: UUID, clock: Clock) -> None:
    await reconcile_integrations(uow.entries, [integration_id], clock())
