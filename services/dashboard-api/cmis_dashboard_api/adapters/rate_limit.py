"""A fixed-window request counter in Redis, shared by every API process."""

from __future__ import annotations

import math

import redis.asyncio as redis


class RateLimiter:
    def __init__(self, client: redis.Redis, limit: int, window_seconds: int) -> None:
        self._redis = client
        self._limit = limit
        self._window_ms = window_seconds * 1000

    async def hit(self, key: str) -> float | None:
        """Count one request; ``None`` if allowed, else the seconds until the window resets."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.pexpire(key, self._window_ms, nx=True)
            pipe.pttl(key)
            count, _, ttl_ms = await pipe.execute()
        if count <= self._limit:
            return None
        return max(1.0, math.ceil(max(ttl_ms, 0) / 1000))
