"""The per-platform rate budget shared by every scheduler replica, held in Redis.

It is :func:`cmis_scheduler.domain.budget.grant` run by the one shared primitive
(:mod:`cmis_shared.rate_limit`: the same GCRA, atomically on the Redis server with the
server's clock), so replicas on different hosts agree on time and their grants add up to
one budget. Losing Redis loses only the pacing state: the next grant starts a fresh,
still-paced sequence.
"""

from __future__ import annotations

from collections.abc import Mapping

import redis.asyncio as redis_asyncio

from cmis_scheduler.domain.budget import RateBudget
from cmis_shared.events import Platform
from cmis_shared.rate_limit import Rate, RedisRateLimit


class RedisRateLimiter:
    def __init__(
        self,
        client: redis_asyncio.Redis,
        key_prefix: str,
        budgets: Mapping[Platform, RateBudget],
    ) -> None:
        self._limit = RedisRateLimit(client)
        self._key_prefix = key_prefix
        self._rates = {
            platform: Rate(budget.interval_micros, budget.tolerance_micros)
            for platform, budget in budgets.items()
        }

    async def _grant(self, platform: Platform, wanted: int, commit: bool) -> int:
        key = f"{self._key_prefix}:{platform.value}"
        grant = await self._limit.take(key, self._rates[platform], wanted, commit=commit)
        return grant.granted

    async def available(self, platform: Platform, wanted: int) -> int:
        return await self._grant(platform, wanted, commit=False)

    async def take(self, platform: Platform, wanted: int) -> int:
        return await self._grant(platform, wanted, commit=True)
