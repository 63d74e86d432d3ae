"""A user's acknowledge, snooze or resolve (``alerting.command`` from dashboard-api), applied
in one unit of work with the inbox claim: alerting stays the only writer of alerts."""

from __future__ import annotations

import structlog

from cmis_alerting.domain.announce import announce
from cmis_alerting.domain.lifecycle import Decision
from cmis_alerting.domain.user_actions import user_change
from cmis_alerting.handlers.events import CONSUMER
from cmis_alerting.ports import UnitOfWorkFactory
from cmis_shared.events import AlertCommand

log = structlog.get_logger(__name__)


class AlertCommands:
    def __init__(self, unit_of_work: UnitOfWorkFactory) -> None:
        self._unit_of_work = unit_of_work

    async def apply(self, command: AlertCommand) -> None:
        async with self._unit_of_work() as uow:
            if not await uow.claim_event(CONSUMER, command.event_id):
                log.info("event already processed")
                return
            found = await uow.alerts.by_id(command.org_id, command.alert_id)
            change = user_change(*found, command) if found else None
            if change is None:
                log.info("alert command changes nothing", alert_id=str(command.alert_id))
            elif isinstance(change, Decision):
                await uow.alerts.save(change, command.event_id)
                event = announce(change, command.alert_id, command.correlation_id)
                await uow.publish(*([event] if event else []))
            else:
                await uow.alerts.acknowledge(change, command.event_id)
            await uow.commit()
        if change is not None:
            log.info(
                "alert command applied", action=str(command.action), alert_id=str(command.alert_id)
            )
