"""Which errors mean "a server we depend on is unreachable or too slow right now" (answered
503 with Retry-After), as opposed to a bug (500). Connection and timeout errors of
PostgreSQL (as SQLAlchemy wraps them and as asyncpg raises them), Redis and RabbitMQ."""

from __future__ import annotations

import aio_pika.exceptions
import aiormq.exceptions
import asyncpg.exceptions
import redis.exceptions
import sqlalchemy.exc

# Registered as exception handlers one by one (Starlette matches a handler by class).
UNAVAILABLE: tuple[type[Exception], ...] = (
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.DBAPIError,
    sqlalchemy.exc.TimeoutError,  # the pool had no connection to give in time
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.QueryCanceledError,  # statement_timeout
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    aiormq.exceptions.AMQPConnectionError,
    aiormq.exceptions.ChannelInvalidStateError,
    aio_pika.exceptions.AMQPConnectionError,
    OSError,  # refused, reset, unreachable; TimeoutError is one too
)
_DRIVER_CAUSES = (
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.QueryCanceledError,
    OSError,
)


def is_unavailable(error: BaseException) -> bool:
    """True for a dependency outage. A DBAPIError only when it wraps one (or its connection
    was invalidated): an IntegrityError or DataError is not an outage."""
    if isinstance(error, sqlalchemy.exc.DBAPIError) and not isinstance(
        error, sqlalchemy.exc.OperationalError | sqlalchemy.exc.InterfaceError
    ):
        return error.connection_invalidated or _caused_by_driver_outage(error)
    return isinstance(error, UNAVAILABLE)


def _caused_by_driver_outage(error: BaseException) -> bool:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, _DRIVER_CAUSES):
            return True
        seen = getattr(seen, "orig", None) or seen.__cause__
    return False
