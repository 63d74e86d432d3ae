"""The dependency watchdog: a server that stays unreachable past a limit ends the process.

A restart is the one repair a process cannot do on itself (a pool wedged on a dead address,
a library that gave up reconnecting); the process supervisor (systemd, Kubernetes) does it.
Each pass also refreshes the readiness gauges.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Awaitable, Callable

import structlog

from cmis_shared.health import Readiness

log = structlog.get_logger(__name__)

EXIT_CODE = 3


def exit_process(code: int) -> None:
    # os._exit, not sys.exit: a SystemExit raised in a task may be swallowed by the
    # framework's shutdown, and hung connections must not keep the process alive.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


class DependencyWatchdog:
    def __init__(
        self,
        check: Callable[[], Awaitable[Readiness]],
        *,
        limit_seconds: float,
        interval_seconds: float,
        exit: Callable[[int], None] = exit_process,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._check = check
        self._limit = limit_seconds
        self._interval = interval_seconds
        self._exit = exit
        self._monotonic = monotonic
        self.down_since: dict[str, float] = {}

    async def run(self) -> None:
        while True:
            await self.check_once()
            await asyncio.sleep(self._interval)

    async def check_once(self) -> None:
        readiness = await self._check()
        now = self._monotonic()
        for result in readiness.checks:
            if not result.dependency:
                continue
            if result.ok:
                if self.down_since.pop(result.name, None) is not None:
                    log.info("dependency reachable again", dependency=result.name)
                continue
            since = self.down_since.setdefault(result.name, now)
            if since == now:
                log.warning("dependency unreachable", dependency=result.name, detail=result.detail)
            if now - since >= self._limit:
                log.critical(
                    "dependency unreachable past the limit; exiting for a restart",
                    dependency=result.name,
                    detail=result.detail,
                    down_seconds=round(now - since, 1),
                    limit_seconds=self._limit,
                )
                self._exit(EXIT_CODE)
                return
