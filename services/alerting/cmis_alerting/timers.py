"""The time-based entry, as ``subscribers.py`` is the event one: each timer sends a
:class:`Tick` at its clock's time to its handler, now and then every interval."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import structlog
from aio_pika.exceptions import AMQPError
from sqlalchemy.exc import SQLAlchemyError

from cmis_alerting.domain.commands import Tick
from cmis_shared.clock import Clock

log = structlog.get_logger(__name__)

TickHandler = Callable[[Tick], Awaitable[int]]


@dataclass(frozen=True)
class Timer:
    name: str
    interval_seconds: float
    handler: TickHandler
    clock: Clock

    async def run(self) -> None:
        """Tick until cancelled; a tick failing on the database or the broker is logged and
        the next one tries again."""
        while True:
            try:
                await self.handler(Tick(self.clock()))
            except (SQLAlchemyError, AMQPError, OSError) as error:
                log.warning("timer tick failed", timer=self.name, error=str(error))
            await asyncio.sleep(self.interval_seconds)
