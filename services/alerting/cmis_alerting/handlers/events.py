"""Use cases, one per event type: each event is handled in one unit of work holding the
inbox claim, the alert changes and the AlertRaised/AlertResolved events (outbox)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import structlog

from cmis_alerting.domain.errors import AlertOpenedConcurrently
from cmis_alerting.domain.integration_health import (
    disconnected_observations,
    integration_observations,
)
from cmis_alerting.domain.notification_channels import channel_observation
from cmis_alerting.domain.observations import Observation
from cmis_alerting.domain.sync_outcomes import completed_observations, failed_observations
from cmis_alerting.domain.thresholds import Thresholds
from cmis_alerting.handlers.metric_rules import metric_rule_observations
from cmis_alerting.handlers.recording import RuleHandler, record
from cmis_alerting.ports import AlertingUnitOfWork, AlertRepository
from cmis_shared.events import (
    Event,
    IntegrationConnected,
    IntegrationDisconnected,
    IntegrationUpdated,
    NotificationChannelDisabled,
    NotificationChannelRestored,
    SyncCompleted,
    SyncFailed,
)
from cmis_shared.statuses import IntegrationStatus

CONSUMER = "alerting"
log = structlog.get_logger(__name__)

# Given the unit of work (for rules that read the current alerts or the stored figures) and
# the org's thresholds.
Observe = Callable[[AlertingUnitOfWork, Thresholds], Awaitable[list[Observation]]]


class EventHandlers(RuleHandler):
    async def sync_completed(self, event: SyncCompleted) -> None:
        async def observe(uow: AlertingUnitOfWork, thresholds: Thresholds) -> list[Observation]:
            now = self._clock()
            return [
                *completed_observations(event, thresholds, now),
                *await metric_rule_observations(uow.metrics, event, thresholds, now),
            ]

        await self._handle(event, observe)

    async def sync_failed(self, event: SyncFailed) -> None:
        async def observe(_: AlertingUnitOfWork, __: Thresholds) -> list[Observation]:
            return failed_observations(event)

        await self._handle(event, observe)

    async def integration_changed(self, event: IntegrationConnected | IntegrationUpdated) -> None:
        async def observe(uow: AlertingUnitOfWork, thresholds: Thresholds) -> list[Observation]:
            if event.status is IntegrationStatus.DISCONNECTED:
                return await _disconnected(uow.alerts, event)
            return integration_observations(event, thresholds, self._clock())

        await self._handle(event, observe)

    async def integration_disconnected(self, event: IntegrationDisconnected) -> None:
        async def observe(uow: AlertingUnitOfWork, _: Thresholds) -> list[Observation]:
            return await _disconnected(uow.alerts, event)

        await self._handle(event, observe)

    async def channel_changed(
        self, event: NotificationChannelDisabled | NotificationChannelRestored
    ) -> None:
        async def observe(_: AlertingUnitOfWork, __: Thresholds) -> list[Observation]:
            return [channel_observation(event)]

        await self._handle(event, observe)

    async def _handle(self, event: Event, observe: Observe) -> None:
        try:
            await self._handle_once(event, observe)
        except AlertOpenedConcurrently:
            # Another writer (the token check, or an event about the same subject handled at
            # the same moment) opened the same alert after this one looked: handled again, it
            # now finds that alert and updates it instead of failing the delivery.
            log.info("alert opened concurrently; handling the event again")
            await self._handle_once(event, observe)

    async def _handle_once(self, event: Event, observe: Observe) -> None:
        async with self._unit_of_work() as uow:
            if not await uow.claim_event(CONSUMER, event.event_id):
                log.info("event already processed")
                return
            thresholds = self._defaults.with_overrides(await uow.alerts.org_settings(event.org_id))
            events = await record(
                uow.alerts,
                await observe(uow, thresholds),
                cause_event_id=event.event_id,
                correlation_id=event.correlation_id,
            )
            await uow.publish(*events)
            await uow.commit()


async def _disconnected(
    alerts: AlertRepository,
    event: IntegrationDisconnected | IntegrationConnected | IntegrationUpdated,
) -> list[Observation]:
    open_alerts = await alerts.open_alerts_of_integration(event.org_id, event.integration_id)
    return disconnected_observations(open_alerts, event.occurred_at)
