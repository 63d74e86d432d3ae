"""Token expiry on a timer tick: a token nears its expiry with no event arriving, so each
tick evaluates the active integrations' stored expiry against the tick's time."""

from __future__ import annotations

import structlog

from cmis_alerting.domain.commands import Tick
from cmis_alerting.domain.errors import AlertOpenedConcurrently
from cmis_alerting.domain.observations import Observation
from cmis_alerting.domain.thresholds import Thresholds
from cmis_alerting.domain.tokens import timer_observations
from cmis_alerting.handlers.recording import record_in_own_unit
from cmis_alerting.ports import UnitOfWorkFactory
from cmis_shared.events import AlertType

log = structlog.get_logger(__name__)


class TokenExpiryCheck:
    def __init__(self, unit_of_work: UnitOfWorkFactory, defaults: Thresholds) -> None:
        self._unit_of_work = unit_of_work
        self._defaults = defaults

    async def __call__(self, tick: Tick) -> int:
        """Evaluate every active integration's token; returns the alert events emitted."""
        async with self._unit_of_work() as uow:
            open_alerts = await uow.alerts.open_by_subject(AlertType.TOKEN_EXPIRY)
            facts = await uow.integrations.token_facts(also=open_alerts)
        emitted = 0
        for observation in timer_observations(facts, open_alerts, self._defaults, tick.now):
            emitted += await self._apply(observation)
        return emitted

    async def _apply(self, observation: Observation) -> int:
        """One unit of work per integration: one failure does not hold back the others."""
        try:
            return await record_in_own_unit(self._unit_of_work, [observation])
        except AlertOpenedConcurrently:
            # An event handler opened the same alert meanwhile; the next tick sees it.
            log.info("token alert changed concurrently", subject_id=str(observation.key.subject_id))
            return 0
