"""The worker's own asyncpg pool, for its hot statements.

The worker's statements are fixed SQL over arrays (``unnest``) and run hundreds of times a
second. On a plain asyncpg connection (statements prepared once per connection) each costs a
fraction of a SQLAlchemy round trip, and a unit of work needs no session around it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

import asyncpg

from cmis_shared.db.engine import asyncpg_connect_args, asyncpg_dsn
from cmis_shared.settings import CmisSettings

T = TypeVar("T")


async def _keep_session_state(connection: asyncpg.Connection) -> None:
    """Nothing to reset on release: the worker never LISTENs, SETs or leaves a cursor open,
    and asyncpg itself still rolls back an open transaction. The default reset would cost a
    round trip per unit of work."""


async def open_pool(settings: CmisSettings) -> asyncpg.Pool:
    """The pool with the shared connection timeouts (connect, statement, idle transaction)."""
    pool = await asyncpg.create_pool(
        asyncpg_dsn(settings.database_url),
        min_size=1,
        max_size=settings.database_pool_size,
        reset=_keep_session_state,
        **asyncpg_connect_args(settings),
    )
    assert pool is not None  # create_pool returns None only when not awaited
    return pool


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
