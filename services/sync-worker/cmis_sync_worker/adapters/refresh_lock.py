"""One token refresh per integration at a time, across every worker process: a PostgreSQL
session-level advisory lock keyed by the integration id.

With rotating refresh tokens, two concurrent refreshes of one grant make the platform refuse
the second one (it looks revoked). The lock is held on its own pooled connection, outside
any transaction, for the platform's token call; the write that follows uses a unit of work
of its own. At most half the pool holds such locks, so the writes always find a connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from uuid import UUID

import asyncpg

# Advisory locks share one key space per database: this class id keeps ours apart.
_LOCK_CLASS = 0x636D6973  # "cmis"


def lock_key(integration_id: UUID) -> int:
    """A signed 32-bit key from the id (a collision only makes two refreshes wait)."""
    return int.from_bytes(integration_id.bytes[:4], "big", signed=True)


class PostgresRefreshLock:
    def __init__(self, pool: Callable[[], asyncpg.Pool], pool_size: int) -> None:
        self._pool = pool  # the worker's pool, opened on start-up after this is built
        self._holders = asyncio.Semaphore(max(1, pool_size // 2))

    @asynccontextmanager
    async def hold(self, integration_id: UUID) -> AsyncIterator[None]:
        key = lock_key(integration_id)
        async with self._holders, self._pool().acquire() as connection:
            await connection.execute("SELECT pg_advisory_lock($1, $2)", _LOCK_CLASS, key)
            try:
                yield
            finally:
                if not connection.is_closed():  # a lost session released its locks already
                    await connection.execute("SELECT pg_advisory_unlock($1, $2)", _LOCK_CLASS, key)
