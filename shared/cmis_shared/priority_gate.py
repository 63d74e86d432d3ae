"""A semaphore that serves its waiters by rank: the in-process half of the worker's lanes.

Each lane queue has its own consumer, so a manual request is delivered at once however long
the scheduled backlog is; but the deliveries of every lane then compete for the same syncs in
flight. The gate admits ``capacity`` holders at a time and, when a slot frees, hands it to the
waiter of the lowest rank (the highest lane), first come first served within a rank. A lower
lane's delivery thus starts only while no higher lane's delivery waits: a manual request
waits for one slot to free, never for the backlog.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


class PriorityGate:
    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._free = capacity
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    @property
    def held(self) -> int:
        return self.capacity - self._free

    def waiting(self, rank: int | None = None) -> int:
        return sum(
            1
            for waiter_rank, _, future in self._waiters
            if not future.done() and (rank is None or waiter_rank == rank)
        )

    async def acquire(self, rank: int) -> None:
        if self._free > 0 and not self.waiting():
            self._free -= 1
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (rank, next(self._order), future))
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.release()  # granted just as it was cancelled: pass the slot on
            raise

    def release(self) -> None:
        while self._waiters:
            _, _, future = heapq.heappop(self._waiters)
            if not future.done():
                future.set_result(None)  # the slot goes straight to the best waiter
                return
        if self._free >= self.capacity:
            raise RuntimeError("released more often than acquired")
        self._free += 1

    @contextlib.asynccontextmanager
    async def slot(self, rank: int) -> AsyncIterator[None]:
        await self.acquire(rank)
        try:
            yield
        finally:
            self.release()

    def gated(
        self, handler: Callable[[T], Awaitable[None]], rank: int
    ) -> Callable[[T], Awaitable[None]]:
        """``handler`` run inside a slot of ``rank``."""

        async def run(message: T) -> None:
            async with self.slot(rank):
                await handler(message)

        return run
