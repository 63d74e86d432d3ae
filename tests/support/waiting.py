"""Waiting for asynchronous effects without asserting on wall-clock time."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable

# A limit, never a measurement: a check returns as soon as its condition holds, so a generous
# limit costs a passing test nothing, while CI's two shared, loaded cores can stall the
# processes a check waits on for seconds at a time.
DEFAULT_WITHIN_SECONDS = 30.0


async def eventually(
    check: Callable[[], bool | Awaitable[bool]],
    within: float = DEFAULT_WITHIN_SECONDS,
    every: float = 0.05,
) -> None:
    """Poll ``check`` (sync or async) until it is true; fail after ``within`` seconds."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        result = check()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {within} s")
        await asyncio.sleep(every)
