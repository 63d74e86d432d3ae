"""Per-platform and per-account limits shared by every worker process, in Redis.

One Lua script takes, atomically: a concurrency slot of the platform and of the account (a
sorted set of leases scored by expiry, so a slot held by a killed worker frees itself) and a
token of the platform's rate bucket (refilled at ``calls_per_second``, burst one second). The
clock is Redis's own (``TIME``), so workers on different hosts agree.

Why not a library: pyrate-limiter and aiolimiter cover the rate bucket but not concurrency
leases that survive a crashed holder; the script is 30 lines.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import redis.asyncio as redis_asyncio

from cmis_shared.events import Platform
from cmis_sync_worker.ports import LimitWaitExceeded

_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3])
   or redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then
  return -1
end
local rate = tonumber(ARGV[5])
local burst = math.max(1, rate)
local state = redis.call('HMGET', KEYS[3], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)
if tokens < 1 then
  return math.ceil((1 - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[3], 'tokens', tostring(tokens - 1), 'at', now)
redis.call('PEXPIRE', KEYS[3], math.ceil(burst * 1000 / rate) + 1000)
local expiry = now + tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], expiry, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[2], expiry, ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 0
"""

_RELEASE = """
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 0
"""

BUSY = -1
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
        self._acquire = client.register_script(_ACQUIRE)
        self._release = client.register_script(_RELEASE)
        self._key = key
        self._platform_concurrency = platform_concurrency
        self._account_concurrency = account_concurrency
        self._calls_per_second = calls_per_second
        self._lease_ms = int(lease_seconds * 1000)
        self._max_wait_seconds = max_wait_seconds

    def _keys(self, platform: Platform, account_id: str) -> list[str]:
        return [
            self._key("limit", platform.value, "slots"),
            self._key("limit", platform.value, "account", account_id, "slots"),
            self._key("limit", platform.value, "rate"),
        ]

    @asynccontextmanager
    async def slot(self, platform: Platform, account_id: str) -> AsyncIterator[None]:
        keys = self._keys(platform, account_id)
        lease = uuid.uuid4().hex
        await self._wait_for_slot(keys, lease, platform)
        try:
            yield
        finally:
            await self._release(keys=keys[:2], args=[lease])

    async def _wait_for_slot(self, keys: list[str], lease: str, platform: Platform) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._max_wait_seconds
        args: list[str | int | float] = [
            lease,
            self._lease_ms,
            self._platform_concurrency(platform),
            self._account_concurrency,
            self._calls_per_second(platform),
        ]
        poll = 0.005
        while True:
            wait_ms = int(await self._acquire(keys=keys, args=args))
            if wait_ms == 0:
                return
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise LimitWaitExceeded(self._max_wait_seconds)
            if wait_ms == BUSY:  # no free slot: poll, backing off, with jitter
                delay, poll = poll, min(poll * 2, MAX_POLL_SECONDS)
            else:  # no rate token: the script says when the next one is due
                delay = wait_ms / 1000
            await asyncio.sleep(min(remaining, delay * random.uniform(1.0, 1.5)))
