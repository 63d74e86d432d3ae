"""Finished notifications (and their attempts) older than the retention are deleted, a
bounded batch per step, so the delivery tables stop growing; pending ones are never touched."""

from __future__ import annotations

from datetime import timedelta

import structlog

from cmis_notifier.ports import DeliveryQueue
from cmis_shared.clock import Clock, system_clock

log = structlog.get_logger(__name__)


class DeliveryRetention:
    def __init__(
        self, queue: DeliveryQueue, keep: timedelta, batch: int = 1000, clock: Clock = system_clock
    ) -> None:
        self._queue = queue
        self._keep = keep
        self._batch = batch
        self._clock = clock

    async def __call__(self) -> int:
        """One batch; returns the notifications deleted (a full batch: more may wait, and
        the next step, an interval later, takes them)."""
        deleted = await self._queue.prune(self._clock() - self._keep, self._batch)
        if deleted:
            log.info("finished notifications pruned", deleted=deleted)
        return deleted
