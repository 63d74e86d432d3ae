"""Token expiry on a timer: a token nears its expiry with no event arriving, so every
interval the active integrations' stored expiry is evaluated against the clock."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import datetime

import structlog
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from cmis_alerting.adapters.alert_store import AlertStore
from cmis_alerting.adapters.integrations import token_facts
from cmis_alerting.domain.observations import Observation
from cmis_alerting.domain.thresholds import Thresholds
from cmis_alerting.domain.tokens import timer_observations
from cmis_alerting.recording import record
from cmis_shared.events import AlertType, utc_now
from cmis_shared.uow import UnitOfWork

log = structlog.get_logger(__name__)


class TokenExpiryTimer:
    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork],
        defaults: Thresholds,
        interval_seconds: float,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._unit_of_work = unit_of_work
        self._defaults = defaults
        self._interval_seconds = interval_seconds
        self._clock = clock

    async def run(self) -> None:
        """Check now, then every interval, until cancelled; a failed check is logged and the
        next one tries again."""
        while True:
            try:
                await self.check_once()
            except (SQLAlchemyError, OSError) as error:
                log.warning("token expiry check failed", error=str(error))
            await asyncio.sleep(self._interval_seconds)

    async def check_once(self) -> int:
        """Evaluate every active integration's token; returns the alert events emitted."""
        now = self._clock()
        async with self._unit_of_work() as uow:
            open_alerts = await AlertStore(uow.session).open_by_subject(AlertType.TOKEN_EXPIRY)
            facts = await token_facts(uow.session, also=open_alerts)
        emitted = 0
        for observation in timer_observations(facts, open_alerts, self._defaults, now):
            emitted += await self._apply(observation)
        return emitted

    async def _apply(self, observation: Observation) -> int:
        """One unit of work per integration: one failure does not hold back the others."""
        try:
            async with self._unit_of_work() as uow:
                events = await record(
                    AlertStore(uow.session),
                    [observation],
                    cause_event_id=None,
                    correlation_id=uuid.uuid4(),
                )
                await uow.publish(*events)
                await uow.commit()
        except IntegrityError:
            # An event handler opened the same alert meanwhile; the next check sees it.
            log.info("token alert changed concurrently", subject_id=str(observation.key.subject_id))
            return 0
        return len(events)
