"""Dispatch due schedule entries of one platform, within its rate budget."""

from __future__ import annotations

import structlog

from cmis_scheduler.domain.dispatch import advance, triage
from cmis_scheduler.ports import RateLimiter, ScheduleBatches
from cmis_shared.clock import Clock
from cmis_shared.events import Platform

log = structlog.get_logger(__name__)


class ScheduledDispatch:
    def __init__(
        self, batches: ScheduleBatches, limiter: RateLimiter, clock: Clock, batch_size: int
    ) -> None:
        self._batches = batches
        self._limiter = limiter
        self._clock = clock
        self._batch_size = batch_size

    async def run_platform(self, platform: Platform) -> bool:
        """Claim what the budget allows right now (earliest deadline first), dispatch it in
        one transaction with its runs and outbox events. True if more may be waiting."""
        room = await self._limiter.available(platform, self._batch_size)
        if room == 0:
            return False
        now = self._clock()
        async with self._batches() as batch:
            due = await batch.claim_due(platform, now, room)
            plan = triage(due, now)
            granted = 0
            if plan.dispatchable:
                # Another replica may have used the room meanwhile: take what is left.
                granted = await self._limiter.take(platform, len(plan.dispatchable))
            published = await batch.dispatch(
                [advance(entry, now) for entry in plan.dispatchable[:granted]], now
            )
            await batch.advance(plan.token_blocked)
            await batch.report_token_expired(plan.to_report, now)
            await batch.switch_off(plan.switched_off)
            await batch.commit()
        if due:
            log.debug(
                "dispatched",
                platform=platform,
                claimed=len(due),
                granted=granted,
                published=published,
                token_blocked=len(plan.token_blocked),
            )
        return len(due) == room and granted == len(plan.dispatchable)
