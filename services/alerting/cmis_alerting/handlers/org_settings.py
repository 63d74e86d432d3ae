"""``organization.settings_changed``: evaluate the organization's token-expiry alerts at
once with its new thresholds (the timer would only reach them on its next tick). Budget
thresholds need the campaigns' spend, which arrives with each ``sync.completed``: every
evaluation reads the organization's thresholds, so they apply from the next sync on."""

from __future__ import annotations

import structlog

from cmis_alerting.domain.errors import AlertOpenedConcurrently
from cmis_alerting.domain.tokens import timer_observations
from cmis_alerting.handlers.events import CONSUMER
from cmis_alerting.handlers.recording import RuleHandler, record
from cmis_shared.events import AlertType, OrganizationSettingsChanged

log = structlog.get_logger(__name__)


class SettingsChanged(RuleHandler):
    async def __call__(self, event: OrganizationSettingsChanged) -> None:
        try:
            await self._reevaluate(event)
        except AlertOpenedConcurrently:
            # The timer opened one of these alerts meanwhile: evaluated again, it finds it.
            log.info("token alert opened concurrently; evaluating the settings change again")
            await self._reevaluate(event)

    async def _reevaluate(self, event: OrganizationSettingsChanged) -> None:
        async with self._unit_of_work() as uow:
            if not await uow.claim_event(CONSUMER, event.event_id):
                log.info("event already processed")
                return
            open_alerts = {
                subject_id: key
                for subject_id, key in (
                    await uow.alerts.open_by_subject(AlertType.TOKEN_EXPIRY)
                ).items()
                if key.org_id == event.org_id
            }
            facts = await uow.integrations.token_facts(also=open_alerts, org_id=event.org_id)
            observations = timer_observations(facts, open_alerts, self._defaults, self._clock())
            events = await record(
                uow.alerts,
                observations,
                cause_event_id=event.event_id,
                correlation_id=event.correlation_id,
            )
            await uow.publish(*events)
            await uow.commit()
