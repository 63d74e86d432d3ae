"""The one rate-limit primitive of CMIS: a GCRA bucket in Redis, optionally gated by leases.

The algorithm is GCRA (generic cell rate algorithm): each granted cell pushes a
"theoretical arrival time" (TAT) forward by one emission interval, and cells are granted
while the TAT is at most ``tolerance`` ahead of now. Any ``n`` grants then span at least
``(n - 1) * interval - tolerance``. One Lua script runs it atomically on the Redis server
with the server's clock (``TIME``), so processes on different hosts agree on time and
their grants add up to one budget. Losing Redis loses only pacing state.

The three users: the scheduler's per-platform dispatch budget (takes *up to* ``wanted``
cells per tick, and peeks without spending), the worker's per-platform call rate gated by
per-platform and per-account concurrency leases (sorted sets scored by expiry, so a slot
held by a killed worker frees itself; taken in the same atomic step as the rate cell), and
the API's per-org manual-trigger limit (``limit`` per window, answering Retry-After).

Why not the ``limits`` library: its strategies grant all of a cost or nothing, so the
scheduler could not take a partial batch atomically across replicas; its windows allow a
whole window's budget in one burst where the scheduler must pace; and it has no
concurrency leases that survive a crashed holder. One 40-line script covers all three.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import redis.asyncio as redis_asyncio

MICROS = 1_000_000

# KEYS[1]: the TAT; KEYS[2..]: lease sets. ARGV: interval, tolerance, wanted, commit,
# lease id, lease ms, then one capacity per lease set. Returns {granted, wait micros};
# wait is -1 when a lease set is full.
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local now_ms = math.floor(now / 1000)
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local wanted = tonumber(ARGV[3])
for i = 2, #KEYS do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now_ms)
  if redis.call('ZCARD', KEYS[i]) >= tonumber(ARGV[5 + i]) then return {0, -1} end
end
local start = now
local tat = tonumber(redis.call('GET', KEYS[1]))
if tat and tat > now then start = tat end
if wanted <= 0 then return {0, 0} end
if start - tolerance > now then return {0, start - tolerance - now} end
local granted = math.floor((now + tolerance - start) / interval) + 1
if granted > wanted then granted = wanted end
if ARGV[4] == '1' then
  local new_tat = start + granted * interval
  redis.call('SET', KEYS[1], string.format('%.0f', new_tat),
             'PX', math.floor((new_tat - now) / 1000) + 60000)
  for i = 2, #KEYS do
    redis.call('ZADD', KEYS[i], now_ms + tonumber(ARGV[6]), ARGV[5])
    redis.call('PEXPIRE', KEYS[i], ARGV[6])
  end
end
return {granted, 0}
"""

_RELEASE = """
for i = 1, #KEYS do redis.call('ZREM', KEYS[i], ARGV[1]) end
return 0
"""


@dataclass(frozen=True)
class Rate:
    """One cell every ``interval_micros``, with ``tolerance_micros`` of allowed burst."""

    interval_micros: int
    tolerance_micros: int = 0

    @classmethod
    def per_window(cls, limit: int, window_seconds: float) -> Rate:
        """``limit`` cells at once, refilled evenly over ``window_seconds``."""
        interval = -(-int(window_seconds * MICROS) // limit)
        return cls(interval, interval * (limit - 1))

    @classmethod
    def per_second(cls, rate: float) -> Rate:
        """``rate`` cells a second with a burst of one second (at least one cell)."""
        return cls.per_window(max(1, int(rate)), max(1, int(rate)) / rate)


@dataclass(frozen=True)
class Lease:
    """A concurrency slot taken with the cell: at most ``capacity`` holders per set."""

    key: str
    capacity: int


@dataclass(frozen=True)
class Grant:
    granted: int
    wait_seconds: float  # until the next cell; 0 when some were granted
    busy: bool = False  # a lease set was full


class RedisRateLimit:
    def __init__(self, client: redis_asyncio.Redis) -> None:
        self._take = client.register_script(_TAKE)
        self._release = client.register_script(_RELEASE)

    async def take(
        self,
        key: str,
        rate: Rate,
        wanted: int = 1,
        *,
        commit: bool = True,
        leases: Sequence[Lease] = (),
        lease_id: str = "",
        lease_seconds: float = 0.0,
    ) -> Grant:
        """Take up to ``wanted`` cells (and, with them, one slot of every lease set)."""
        args: list[str | int] = [
            rate.interval_micros,
            rate.tolerance_micros,
            wanted,
            "1" if commit else "0",
            lease_id,
            int(lease_seconds * 1000),
            *(lease.capacity for lease in leases),
        ]
        granted, wait = await self._take(keys=[key, *(lease.key for lease in leases)], args=args)
        if int(wait) < 0:
            return Grant(0, 0.0, busy=True)
        return Grant(int(granted), int(wait) / MICROS)

    async def release(self, leases: Sequence[Lease], lease_id: str) -> None:
        await self._release(keys=[lease.key for lease in leases], args=[lease_id])
