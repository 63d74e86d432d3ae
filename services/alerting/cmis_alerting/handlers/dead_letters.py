"""The dead-letter queue on a timer tick: an alert while it holds messages, resolved once it
is empty (rule and scope in ``domain/dead_letters.py``)."""

from __future__ import annotations

import structlog

from cmis_alerting.domain.commands import Tick
from cmis_alerting.domain.dead_letters import dead_letters_observation
from cmis_alerting.domain.errors import AlertOpenedConcurrently
from cmis_alerting.handlers.recording import record_in_own_unit
from cmis_alerting.ports import DeadLetterQueue, UnitOfWorkFactory

log = structlog.get_logger(__name__)


class DeadLetterCheck:
    def __init__(self, unit_of_work: UnitOfWorkFactory, queue: DeadLetterQueue) -> None:
        self._unit_of_work = unit_of_work
        self._queue = queue

    async def __call__(self, tick: Tick) -> int:
        """Read the depth and apply the rule; returns the alert events emitted."""
        depth = await self._queue.depth()
        observation = dead_letters_observation(self._queue.name, depth, tick.now)
        if depth:
            log.warning("dead letters waiting", queue=self._queue.name, message_count=depth)
        try:
            return await record_in_own_unit(self._unit_of_work, [observation])
        except AlertOpenedConcurrently:
            # Another replica's check opened it first; the next tick sees that one.
            log.info("dead-letter alert opened concurrently")
            return 0
