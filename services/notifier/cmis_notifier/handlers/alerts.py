"""Alert events into the grouping buffer, one unit of work each (inbox claim included):
``alert.raised`` goes to every enabled channel whose route takes it; ``alert.resolved``
marks the copies that were notified, so their resolution goes out promptly."""

from __future__ import annotations

from collections.abc import Callable

import structlog

from cmis_notifier.ports import UnitOfWorkFactory
from cmis_shared.clock import Clock, system_clock
from cmis_shared.events import AlertRaised, AlertResolved

CONSUMER = "notifier"
log = structlog.get_logger(__name__)


class AlertHandlers:
    def __init__(
        self,
        unit_of_work: UnitOfWorkFactory,
        clock: Clock = system_clock,
        buffered: Callable[[], None] = lambda: None,
    ) -> None:
        self._unit_of_work = unit_of_work
        self._clock = clock
        self._buffered = buffered  # wakes the flush loop

    async def raised(self, event: AlertRaised) -> None:
        async with self._unit_of_work() as uow:
            if not await uow.claim_event(CONSUMER, event.event_id):
                log.info("event already processed")
                return
            channels = [
                c
                for c in await uow.buffer.routed_channels(event.org_id)
                if c.route.takes(event.alert_type, event.severity)
            ]
            for channel in channels:
                await uow.buffer.buffer_firing(channel.channel_id, event, self._clock())
            await uow.commit()
        log.info("alert buffered", alert_id=str(event.alert_id), channels=len(channels))
        if channels:
            self._buffered()

    async def resolved(self, event: AlertResolved) -> None:
        async with self._unit_of_work() as uow:
            if not await uow.claim_event(CONSUMER, event.event_id):
                log.info("event already processed")
                return
            copies = await uow.buffer.buffer_resolved(event, self._clock())
            await uow.commit()
        log.info("alert resolution buffered", alert_id=str(event.alert_id), channels=copies)
        if copies:
            self._buffered()
