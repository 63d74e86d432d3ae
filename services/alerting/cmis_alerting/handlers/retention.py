"""Alert history retention on a timer tick: rows older than the retention period are
deleted in bounded batches, one transaction each, so the table stops growing without one
long delete holding locks."""

from __future__ import annotations

from datetime import timedelta

import structlog

from cmis_alerting.domain.commands import Tick
from cmis_alerting.ports import UnitOfWorkFactory

log = structlog.get_logger(__name__)


class HistoryRetention:
    def __init__(
        self,
        unit_of_work: UnitOfWorkFactory,
        keep: timedelta,
        batch_size: int,
        max_batches: int,
    ) -> None:
        self._unit_of_work = unit_of_work
        self._keep = keep
        self._batch_size = batch_size
        # Bounded per tick too: a large backlog is worked off over several ticks.
        self._max_batches = max_batches

    async def __call__(self, tick: Tick) -> int:
        """Delete what is older than ``tick.now - keep``; returns the rows deleted."""
        cutoff = tick.now - self._keep
        deleted = 0
        for _ in range(self._max_batches):
            async with self._unit_of_work() as uow:
                batch = await uow.history.delete_before(cutoff, self._batch_size)
                await uow.commit()
            deleted += batch
            if batch < self._batch_size:
                break
        if deleted:
            log.info("alert history pruned", deleted=deleted, cutoff=cutoff.isoformat())
        return deleted
