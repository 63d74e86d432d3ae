"""The Redis rate budget shared by replicas: two limiters (two "replicas", two connections)
taking from one platform's budget never get grants closer together than the budget allows,
and the budget is used, not starved."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis_asyncio

from cmis_scheduler.adapters.rate_limiter import RedisRateLimiter
from cmis_scheduler.domain.budget import MICROS, RateBudget
from cmis_shared.events import Platform
from cmis_shared.settings import CmisSettings

pytestmark = pytest.mark.integration

BUDGET = RateBudget(per_minute=240, tolerance_micros=0)  # one grant every 250 ms
SLACK = 0.1  # scheduling latency between Redis granting and this process noting it


@pytest.fixture
async def clients(settings: CmisSettings) -> AsyncIterator[list[redis_asyncio.Redis]]:
    made = [redis_asyncio.from_url(settings.redis_url) for _ in range(2)]
    yield made
    for client in made:
        await client.aclose()


async def test_two_replicas_share_one_paced_budget(
    settings: CmisSettings, clients: list[redis_asyncio.Redis]
) -> None:
    key = settings.redis_key("scheduler", "budget")
    limiters = [RedisRateLimiter(c, key, {Platform.META: BUDGET}) for c in clients]
    granted_at: list[float] = []

    async def replica(limiter: RedisRateLimiter) -> None:
        for _ in range(30):
            granted = await limiter.take(Platform.META, 5)
            granted_at.extend([time.monotonic()] * granted)
            await asyncio.sleep(0.05)

    await asyncio.gather(*(replica(limiter) for limiter in limiters))

    interval = BUDGET.interval_micros / MICROS
    granted_at.sort()
    for k in range(1, len(granted_at)):
        for i in range(len(granted_at) - k):
            assert granted_at[i + k] - granted_at[i] >= k * interval - SLACK, (i, k)
    assert len(granted_at) >= 4, "the budget went unused"


async def test_peeking_does_not_spend(
    settings: CmisSettings, clients: list[redis_asyncio.Redis]
) -> None:
    limiter = RedisRateLimiter(
        clients[0], settings.redis_key("scheduler", "budget"), {Platform.GOOGLE: BUDGET}
    )
    assert await limiter.available(Platform.GOOGLE, 3) == 1
    assert await limiter.available(Platform.GOOGLE, 3) == 1
    assert await limiter.take(Platform.GOOGLE, 3) == 1
    assert await limiter.take(Platform.GOOGLE, 3) == 0
