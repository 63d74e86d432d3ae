"""Supervised background tasks: a long-running coroutine that raises is restarted after a
capped exponential pause instead of ending for good.

Logging stays readable through an outage: the first failure of a streak is logged with its
traceback, the following ones only counted (``cmis_task_restarts``), and one line says when
the task recovered (it ran ``initial * 4`` seconds, at least, without failing again). A
coroutine that returns normally is finished and not restarted; cancellation stops it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from typing import Any

import structlog
from prometheus_client import Counter

from cmis_shared.backoff import backoff_seconds

TaskFactory = Callable[[], Coroutine[Any, Any, None]]
log = structlog.get_logger(__name__)


class SupervisedTask:
    def __init__(
        self,
        factory: TaskFactory,
        name: str,
        *,
        initial_seconds: float,
        max_seconds: float,
        restarts: Counter | None = None,
    ) -> None:
        self.name = name
        self._factory = factory
        self._initial = initial_seconds
        self._max = max_seconds
        self._restarts = restarts
        self.failures = 0  # in the current streak
        self.restarts = 0  # in the task's life
        self.running = False  # the coroutine runs (not waiting to restart, not finished)
        self.last_error: str | None = None
        self._task = asyncio.create_task(self._supervise(), name=f"supervise:{name}")

    @property
    def done(self) -> bool:
        return self._task.done()

    async def _supervise(self) -> None:
        while True:
            attempt = asyncio.create_task(self._factory(), name=self.name)
            self.running = True
            try:
                await self._await_with_recovery(attempt)
                self.running = False
                return
            except asyncio.CancelledError:
                self.running = False
                await _cancel_until_done(attempt)
                raise
            except Exception as error:  # noqa: BLE001 - the supervisor's job: any failure restarts
                self.running = False
                self._failed(error)
            await asyncio.sleep(backoff_seconds(self.failures, self._initial, self._max))

    async def _await_with_recovery(self, attempt: asyncio.Task[None]) -> None:
        if self.failures:
            # A task that runs a while without failing again has recovered: say so once.
            done, _ = await asyncio.wait({attempt}, timeout=self._initial * 4)
            if not done:
                log.info("background task recovered", task=self.name, failures=self.failures)
                self.failures = 0
                self.last_error = None
        await attempt

    def _failed(self, error: Exception) -> None:
        self.failures += 1
        self.restarts += 1
        self.last_error = repr(error)[:500]
        if self._restarts is not None:
            self._restarts.labels(self.name).inc()
        if self.failures == 1:
            log.error("background task failed; restarting", task=self.name, exc_info=error)

    async def stop(self) -> None:
        # The supervisor awaits the attempt, so each cancellation reaches the attempt; one
        # that the attempt swallows must not leave stop waiting.
        await _cancel_until_done(self._task)


async def _cancel_until_done(task: asyncio.Task[None]) -> None:
    """Cancel ``task`` again until it ends. One cancellation can be swallowed: on Python
    3.11, ``asyncio.wait_for`` returns its result instead of raising when the cancellation
    and the awaited future's completion meet, and a loop around it (the relay's wait for a
    notification) then goes on forever, and the process never stops on SIGTERM."""
    while not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=1)
    with contextlib.suppress(asyncio.CancelledError, Exception):
        task.result()


class Supervisor:
    """Starts and stops the supervised tasks of one process."""

    def __init__(
        self, *, initial_seconds: float, max_seconds: float, restarts: Counter | None = None
    ) -> None:
        self._initial = initial_seconds
        self._max = max_seconds
        self._restarts = restarts
        self.tasks: list[SupervisedTask] = []

    def start(self, factory: TaskFactory, name: str) -> SupervisedTask:
        task = SupervisedTask(
            factory,
            name,
            initial_seconds=self._initial,
            max_seconds=self._max,
            restarts=self._restarts,
        )
        self.tasks.append(task)
        return task

    async def stop(self) -> None:
        for task in self.tasks:
            await task.stop()
        self.tasks.clear()
