"""The time entry, as ``subscribers.py`` is the event one: the flush runs every interval, or
at once when an alert was buffered."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import structlog
from sqlalchemy.exc import SQLAlchemyError

log = structlog.get_logger(__name__)


class WakeableLoop:
    def __init__(self, name: str, step: Callable[[], Awaitable[int]], interval: float) -> None:
        self.name = name
        self._step = step
        self._interval = interval
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        """Step until cancelled; a step failing on the database is logged and retried at the
        next interval (its transaction rolled back: nothing half-done)."""
        while True:
            try:
                await self._step()
            except (SQLAlchemyError, OSError) as error:
                log.warning("loop step failed", loop=self.name, error=repr(error)[:300])
            await wait_for_wake(self._wake, self._interval)


async def wait_for_wake(wake: asyncio.Event, seconds: float) -> None:
    """Until woken or ``seconds`` have passed; the event is cleared for the next wait."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(wake.wait(), seconds)
    wake.clear()
