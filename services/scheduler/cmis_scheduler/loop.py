"""The dispatch loop: every tick, due retries first, then each platform's due entries (the
platforms concurrently, each in its own transaction). A tick that found a full batch runs
again at once; otherwise the loop sleeps one tick. A failing database or Redis skips the
tick (nothing is claimed, so nothing is lost) and the loop carries on."""

from __future__ import annotations

import asyncio

import redis.exceptions
import structlog
from sqlalchemy.exc import SQLAlchemyError

from cmis_scheduler.handlers.dispatch_retries import RetryDispatch
from cmis_scheduler.handlers.dispatch_scheduled import ScheduledDispatch
from cmis_shared.events import Platform

log = structlog.get_logger(__name__)

_TRANSIENT = (SQLAlchemyError, redis.exceptions.RedisError, OSError, ConnectionError)


class DispatchLoop:
    def __init__(
        self, retries: RetryDispatch, scheduled: ScheduledDispatch, tick_seconds: float
    ) -> None:
        self._retries = retries
        self._scheduled = scheduled
        self._tick_seconds = tick_seconds

    async def tick(self) -> bool:
        """One pass; True if some batch was full (more may be due right now)."""
        more_retries = await self._retries.run_once()
        # Every platform finishes its batch before the tick ends, even if one fails.
        results = await asyncio.gather(
            *(self._scheduled.run_platform(p) for p in Platform), return_exceptions=True
        )
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return more_retries or any(results)

    async def run(self) -> None:
        while True:
            try:
                busy = await self.tick()
            except _TRANSIENT as error:
                log.warning("dispatch tick failed; retrying next tick", error=repr(error))
                busy = False
            if not busy:
                await asyncio.sleep(self._tick_seconds)
