"""The per-org manual-trigger limit, shared by every API process through Redis.

``limit`` requests at once, refilled evenly over ``window_seconds``: the shared GCRA
primitive of :mod:`cmis_shared.rate_limit` (it used to be a fixed-window counter, which
let twice the limit through across a window boundary).
"""

from __future__ import annotations

import math

import redis.asyncio as redis

from cmis_dashboard_api.domain.org_settings import TriggerLimit
from cmis_shared.rate_limit import Rate, RedisRateLimit


class RateLimiter:
    def __init__(self, client: redis.Redis, limit: int, window_seconds: int) -> None:
        self._limit = RedisRateLimit(client)
        self._rate = Rate.per_window(limit, window_seconds)

    async def hit(self, key: str, override: TriggerLimit | None = None) -> float | None:
        """Count one request; ``None`` if allowed, else the seconds until one is.
        ``override``: this key's own limit (an organization's setting) instead of the
        process-wide one."""
        rate = self._rate
        if override is not None:
            rate = Rate.per_window(override.limit, override.window_seconds)
        grant = await self._limit.take(key, rate)
        if grant.granted:
            return None
        return max(1.0, math.ceil(grant.wait_seconds))
