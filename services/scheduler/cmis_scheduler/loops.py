"""What time drives, as ``subscribers.py`` is what events drive: the loops that call the
handlers on a cadence.

The dispatch loop: every tick, due retries first, then each platform's due entries (the
platforms concurrently, each in its own transaction), then, for each platform whose due
entries all went out, pending backfill windows from the budget's leftover room. A tick that
found a full batch runs again at once; otherwise the loop sleeps one tick. A failing database
or Redis skips the tick (nothing is claimed, so nothing is lost) and the loop carries on;
after an outage longer than the catch-up threshold, what was missed is spread before
dispatching resumes.

:class:`Periodic` runs a housekeeping job (the stuck-run sweep, retention) every so often; a
failing database skips that pass the same way."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import redis.exceptions
import structlog
from sqlalchemy.exc import SQLAlchemyError

from cmis_scheduler.handlers.dispatch_backfill import BackfillDispatch
from cmis_scheduler.handlers.dispatch_retries import RetryDispatch
from cmis_scheduler.handlers.dispatch_scheduled import ScheduledDispatch
from cmis_shared.events import Platform

log = structlog.get_logger(__name__)

_TRANSIENT = (SQLAlchemyError, redis.exceptions.RedisError, OSError, ConnectionError)


class DispatchLoop:
    def __init__(
        self,
        retries: RetryDispatch,
        scheduled: ScheduledDispatch,
        tick_seconds: float,
        catch_up: Callable[[], Awaitable[None]] | None = None,
        catch_up_after_seconds: float = 300.0,
        backfill: BackfillDispatch | None = None,
    ) -> None:
        self._retries = retries
        self._scheduled = scheduled
        self._tick_seconds = tick_seconds
        self._catch_up = catch_up
        self._catch_up_after_seconds = catch_up_after_seconds
        self._backfill = backfill

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
        if self._backfill is not None:
            # Below the schedule: only platforms with nothing scheduled left waiting.
            idle = [p for p, busy in zip(Platform, results, strict=True) if not busy]
            sent = await asyncio.gather(
                *(self._backfill.run_platform(p) for p in idle), return_exceptions=True
            )
            for outcome in sent:
                if isinstance(outcome, BaseException):
                    raise outcome
        return more_retries or any(results)

    async def run(self) -> None:
        clock = asyncio.get_running_loop()
        failing_since: float | None = None
        while True:
            try:
                if (
                    failing_since is not None
                    and self._catch_up is not None
                    and (clock.time() - failing_since > self._catch_up_after_seconds)
                ):
                    await self._catch_up()
                busy = await self.tick()
                failing_since = None
            except _TRANSIENT as error:
                log.warning("dispatch tick failed; retrying next tick", error=repr(error))
                failing_since = failing_since if failing_since is not None else clock.time()
                busy = False
            if not busy:
                await asyncio.sleep(self._tick_seconds)


class Periodic:
    """``job`` every ``every_seconds`` (measured from the end of the previous pass)."""

    def __init__(self, job: Callable[[], Awaitable[Any]], every_seconds: float, name: str) -> None:
        self._job = job
        self._every_seconds = every_seconds
        self.name = name

    async def run(self) -> None:
        while True:
            try:
                await self._job()
            except _TRANSIENT as error:
                log.warning("periodic job failed; retrying next pass", job=self.name,
                            error=repr(error))  # fmt: skip
            await asyncio.sleep(self._every_seconds)
