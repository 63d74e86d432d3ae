"""Dispatch due retries: the failed run goes back to queued with its next attempt, keeping
its run id and correlation id. Retries draw on the same per-platform budget as schedules."""

from __future__ import annotations

from datetime import timedelta

import structlog

from cmis_scheduler.domain.retry import DueRetry, retry_is_current
from cmis_scheduler.ports import RateLimiter, RetryBatches
from cmis_shared.clock import Clock

log = structlog.get_logger(__name__)


class RetryDispatch:
    def __init__(
        self,
        batches: RetryBatches,
        limiter: RateLimiter,
        clock: Clock,
        batch_size: int,
        conflict_delay: timedelta,
    ) -> None:
        self._batches = batches
        self._limiter = limiter
        self._clock = clock
        self._batch_size = batch_size
        self._conflict_delay = conflict_delay

    async def run_once(self) -> bool:
        """One batch of due retries. True if more may be due right now."""
        now = self._clock()
        async with self._batches() as batch:
            due = await batch.claim_due(now, self._batch_size)
            by_platform: dict[str, list[DueRetry]] = {}
            for retry in due:
                if retry_is_current(retry.run_status, retry.run_attempt, retry.attempt):
                    by_platform.setdefault(retry.platform, []).append(retry)
                else:
                    log.info("stale retry dropped", run_id=str(retry.run_id), attempt=retry.attempt)
                    await batch.mark_stale(retry, now)
            for platform_retries in by_platform.values():
                granted = await self._limiter.take(
                    platform_retries[0].platform, len(platform_retries)
                )
                for retry in platform_retries[:granted]:
                    if not await batch.requeue(retry, now):
                        # Another run of this integration and data type is active: retry after it.
                        await batch.defer(retry, now + self._conflict_delay)
            await batch.commit()
        return len(due) == self._batch_size
