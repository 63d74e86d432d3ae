"""The asyncpg connection under a SQLAlchemy session, for the worker's hot statements.

The worker's statements are fixed SQL over arrays (``unnest``) and run hundreds of times a
second; asyncpg's own prepared-statement cache runs them with a fraction of the per-call
cost of a SQLAlchemy ``text()`` round trip. They run on the session's connection, so they
share its transaction (and its outbox and inbox writes).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar, cast

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")


async def driver_connection(session: AsyncSession) -> asyncpg.Connection:
    """The session's asyncpg connection, inside the session's transaction.

    SQLAlchemy's asyncpg adapter sends BEGIN lazily, before its own first statement: a raw
    statement run first would autocommit on its own (no row lock held, no atomicity with the
    outbox). So the transaction is started here, before handing the connection out."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    adapted = raw.dbapi_connection
    if adapted is not None and getattr(adapted, "_transaction", True) is None:
        await adapted._start_transaction()
    return cast(asyncpg.Connection, raw.driver_connection)


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
