"""The per-platform rate budget shared by every scheduler replica, held in Redis.

The script is :func:`cmis_scheduler.domain.budget.grant` line for line, run atomically on
the Redis server with the server's clock, so replicas on different hosts agree on time and
their grants add up to one budget. Losing Redis loses only the pacing state: the next grant
starts a fresh, still-paced sequence.
"""

from __future__ import annotations

from collections.abc import Mapping

import redis.asyncio as redis_asyncio

from cmis_scheduler.domain.budget import RateBudget
from cmis_shared.events import Platform

_GRANT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local wanted = tonumber(ARGV[3])
local start = now
local tat = tonumber(redis.call('GET', KEYS[1]))
if tat and tat > now then start = tat end
if wanted <= 0 or start - tolerance > now then return 0 end
local granted = math.floor((now + tolerance - start) / interval) + 1
if granted > wanted then granted = wanted end
if ARGV[4] == '1' then
  local new_tat = start + granted * interval
  redis.call('SET', KEYS[1], string.format('%.0f', new_tat),
             'PX', math.floor((new_tat - now) / 1000) + 60000)
end
return granted
"""


class RedisRateLimiter:
    def __init__(
        self,
        client: redis_asyncio.Redis,
        key_prefix: str,
        budgets: Mapping[Platform, RateBudget],
    ) -> None:
        self._client = client
        self._key_prefix = key_prefix
        self._budgets = dict(budgets)
        self._script = client.register_script(_GRANT)

    async def _grant(self, platform: Platform, wanted: int, commit: bool) -> int:
        budget = self._budgets[platform]
        granted = await self._script(
            keys=[f"{self._key_prefix}:{platform.value}"],
            args=[budget.interval_micros, budget.tolerance_micros, wanted, "1" if commit else "0"],
        )
        return int(granted)

    async def available(self, platform: Platform, wanted: int) -> int:
        return await self._grant(platform, wanted, commit=False)

    async def take(self, platform: Platform, wanted: int) -> int:
        return await self._grant(platform, wanted, commit=True)
