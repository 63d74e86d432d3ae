"""Dispatch pending backfill windows of one platform: below scheduled syncs (the loop runs
this only after the platform's due entries and retries took their share of the budget),
within the same per-platform rate budget, a few windows in flight per integration."""

from __future__ import annotations

import structlog

from cmis_scheduler.domain.backfill import choose
from cmis_scheduler.ports import BackfillBatches, RateLimiter
from cmis_shared.clock import Clock
from cmis_shared.events import Platform

log = structlog.get_logger(__name__)


class BackfillDispatch:
    def __init__(
        self,
        batches: BackfillBatches,
        limiter: RateLimiter,
        clock: Clock,
        batch_size: int,
        per_integration: int,
    ) -> None:
        self._batches = batches
        self._limiter = limiter
        self._clock = clock
        self._batch_size = batch_size
        self._per_integration = per_integration

    async def run_platform(self, platform: Platform) -> int:
        """Send what the budget's leftover room and the per-integration cap allow; returns
        the windows sent."""
        room = await self._limiter.available(platform, self._batch_size)
        if room == 0:
            return 0
        now = self._clock()
        async with self._batches() as batch:
            pending = await batch.claim_pending(platform, now, self._per_integration, room)
            if not pending:
                return 0
            in_flight = await batch.in_flight([w.integration_id for w in pending])
            chosen = choose(pending, in_flight, self._per_integration, room)
            granted = await self._limiter.take(platform, len(chosen)) if chosen else 0
            sent = await batch.dispatch(chosen[:granted], now)
            await batch.commit()
        if sent:
            log.debug("backfill windows dispatched", platform=platform, sent=sent)
        return sent
