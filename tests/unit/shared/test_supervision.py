"""Supervised background tasks restart after a failure, with capped backoff, and stop cleanly."""

from __future__ import annotations

import asyncio

from prometheus_client import CollectorRegistry

from cmis_shared.backoff import backoff_seconds
from cmis_shared.runtime_metrics import RuntimeMetrics
from cmis_shared.supervision import Supervisor
from tests.support.waiting import eventually


def test_backoff_doubles_up_to_the_cap() -> None:
    pauses = [backoff_seconds(n, 0.5, 4.0) for n in range(0, 7)]
    assert pauses == [0.0, 0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert backoff_seconds(10_000, 0.5, 4.0) == 4.0


async def test_a_task_that_raises_is_restarted_and_counted() -> None:
    registry = CollectorRegistry()
    metrics = RuntimeMetrics(registry)
    supervisor = Supervisor(initial_seconds=0.01, max_seconds=0.02, restarts=metrics.task_restarts)
    runs: list[int] = []

    async def flaky() -> None:
        runs.append(len(runs))
        if len(runs) <= 3:
            raise ConnectionError("server away")
        await asyncio.Event().wait()  # healthy from the fourth run on

    task = supervisor.start(flaky, "flaky-loop")
    await eventually(lambda: len(runs) == 4 and task.running)
    assert task.restarts == 3
    assert registry.get_sample_value("cmis_task_restarts_total", {"task": "flaky-loop"}) == 3
    await eventually(lambda: task.failures == 0)  # ran long enough: recovered
    await supervisor.stop()
    assert task.done


async def test_a_task_that_returns_is_not_restarted() -> None:
    supervisor = Supervisor(initial_seconds=0.01, max_seconds=0.02)
    runs: list[int] = []

    async def once() -> None:
        runs.append(1)

    task = supervisor.start(once, "once")
    await eventually(lambda: task.done)
    assert runs == [1]
    assert task.restarts == 0
    await supervisor.stop()


async def test_stop_cancels_a_running_task() -> None:
    supervisor = Supervisor(initial_seconds=0.01, max_seconds=0.02)
    cancelled = asyncio.Event()

    async def forever() -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    supervisor.start(forever, "forever")
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    await supervisor.stop()
    assert cancelled.is_set()


async def test_stop_ends_a_task_that_swallows_one_cancellation() -> None:
    """As a loop around ``asyncio.wait_for`` does on Python 3.11 when the cancellation meets
    the awaited future's completion: the task goes on; stop must still end it."""
    supervisor = Supervisor(initial_seconds=0.01, max_seconds=0.02)
    swallowed = asyncio.Event()

    async def swallows_the_first() -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            swallowed.set()  # and carry on, as the raced wait_for does
        await asyncio.Event().wait()

    supervisor.start(swallows_the_first, "swallows")
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    stopping = asyncio.create_task(supervisor.stop())
    await asyncio.wait({stopping}, timeout=30)  # a guard against hanging, not a measure
    assert swallowed.is_set()
    assert stopping.done(), "stop waits forever for a task that swallowed its cancellation"
    await stopping
