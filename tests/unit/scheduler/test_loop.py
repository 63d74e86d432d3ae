"""The dispatch loop survives a failing database and spreads what was missed afterwards."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.exc import OperationalError

from cmis_scheduler.loops import DispatchLoop
from cmis_shared.events import Platform

pytestmark = pytest.mark.unit


class FlakyDatabase:
    """Down for the first ``failures`` statements, then up."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0

    def execute(self) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise OperationalError("SELECT 1", {}, ConnectionRefusedError())


class FlakyRetries:
    def __init__(self, database: FlakyDatabase) -> None:
        self.database = database
        self.good_ticks = 0

    async def run_once(self) -> bool:
        self.database.execute()
        self.good_ticks += 1
        return False


class Platforms:
    def __init__(self) -> None:
        self.seen: list[Platform] = []

    async def run_platform(self, platform: Platform) -> bool:
        self.seen.append(platform)
        return False


async def run_until(loop: DispatchLoop, done: asyncio.Event) -> None:
    task = asyncio.create_task(loop.run())
    await asyncio.wait_for(done.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_after_an_outage_longer_than_the_threshold_missed_entries_are_spread_once() -> None:
    database = FlakyDatabase(failures=3)
    retries, platforms = FlakyRetries(database), Platforms()
    caught_up_before_tick: list[int] = []
    resumed = asyncio.Event()

    async def catch_up() -> None:
        database.execute()  # fails too while the database is down
        caught_up_before_tick.append(retries.good_ticks)

    async def run_once() -> bool:
        result = await FlakyRetries.run_once(retries)
        if retries.good_ticks >= 3:
            resumed.set()
        return result

    retries.run_once = run_once  # type: ignore[method-assign]
    loop = DispatchLoop(retries, platforms, 0.001, catch_up, catch_up_after_seconds=0)  # type: ignore[arg-type]
    await run_until(loop, resumed)
    assert caught_up_before_tick == [0]  # once, when the database is back, before dispatching


async def test_a_short_outage_needs_no_catch_up_and_every_platform_is_served() -> None:
    retries, platforms = FlakyRetries(FlakyDatabase(failures=2)), Platforms()
    served = asyncio.Event()

    async def catch_up() -> None:
        raise AssertionError("a blip is not downtime")

    loop = DispatchLoop(retries, platforms, 0.001, catch_up, catch_up_after_seconds=60)  # type: ignore[arg-type]
    original = platforms.run_platform

    async def run_platform(platform: Platform) -> bool:
        result = await original(platform)
        if len(set(platforms.seen)) == len(Platform):
            served.set()
        return result

    platforms.run_platform = run_platform  # type: ignore[method-assign]
    await run_until(loop, served)
