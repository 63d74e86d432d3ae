"""Per-platform and per-account limits shared by every worker process, in Redis.

One atomic step of the shared primitive (:mod:`cmis_shared.rate_limit`) takes a
concurrency slot of the platform and of the account (leases that expire, so a slot held by
a killed worker frees itself) and a cell of the platform's rate (``calls_per_second``,
burst one second). The clock is Redis's own, so workers on different hosts agree.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import redis.asyncio as redis_asyncio

from cmis_shared.events import Platform
from cmis_shared.rate_limit import Lease, Rate, RedisRateLimit
from cmis_sync_worker.domain.failures import LimitWaitExceeded

MAX_POLL_SECONDS = 0.2


class RedisPlatformLimiter:
    def __init__(
        self,
        client: redis_asyncio.Redis,
        key: Callable[..., str],
        *,
        platform_concurrency: Callable[[Platform], int],
        account_concurrency: int,
        calls_per_second: Callable[[Platform], float],
        lease_seconds: float = 300.0,
        max_wait_seconds: float = 60.0,
    ) -> None:
        self._limit = RedisRateLimit(client)
        self._key = key
        self._platform_concurrency = platform_concurrency
        self._account_concurrency = account_concurrency
        self._calls_per_second = calls_per_second
        self._lease_seconds = lease_seconds
        self._max_wait_seconds = max_wait_seconds

    def _leases(self, platform: Platform, account_id: str) -> list[Lease]:
        return [
            Lease(
                self._key("limit", platform.value, "slots"), self._platform_concurrency(platform)
            ),
            Lease(
                self._key("limit", platform.value, "account", account_id, "slots"),
                self._account_concurrency,
            ),
        ]

    @asynccontextmanager
    async def slot(self, platform: Platform, account_id: str) -> AsyncIterator[None]:
        leases = self._leases(platform, account_id)
        lease_id = uuid.uuid4().hex
        await self._wait_for_slot(platform, leases, lease_id)
        try:
            yield
        finally:
            await self._limit.release(leases, lease_id)

    async def _wait_for_slot(self, platform: Platform, leases: list[Lease], lease_id: str) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._max_wait_seconds
        key = self._key("limit", platform.value, "rate")
        rate = Rate.per_second(self._calls_per_second(platform))
        poll = 0.005
        while True:
            grant = await self._limit.take(
                key, rate, leases=leases, lease_id=lease_id, lease_seconds=self._lease_seconds
            )
            if grant.granted:
                return
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise LimitWaitExceeded(self._max_wait_seconds)
            if grant.busy:  # no free slot: poll, backing off, with jitter
                delay, poll = poll, min(poll * 2, MAX_POLL_SECONDS)
            else:  # no rate cell: the script says when the next one is due
                delay = grant.wait_seconds
            await asyncio.sleep(min(remaining, delay * random.uniform(1.0, 1.5)))
