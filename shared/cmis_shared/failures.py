"""Which errors are the infrastructure's and which the message's.

An infrastructure error (a server away, a connection cut, a timeout, a serialization failure
or deadlock) says nothing about the message: the same message succeeds once the server is
back, so the consumer retries it with backoff and never dead-letters it for that. Any other
error (the message or its data) counts toward the delivery limit.

An adapter may wrap a driver error in a domain exception: the ``__cause__`` chain is followed.
"""

from __future__ import annotations

import aiormq.exceptions
import asyncpg
import redis.exceptions
import sqlalchemy.exc

# SQLSTATE classes and codes that clear up by themselves: connection exceptions (08), a
# serialization failure or deadlock (40001, 40P01), insufficient resources (53), a statement
# cancelled by a timeout (57014), the server shutting down or starting (57P01-57P03), a
# lock not available (55P03).
TRANSIENT_SQLSTATE_CLASSES = ("08", "53")
TRANSIENT_SQLSTATES = frozenset({"40001", "40P01", "57014", "57P01", "57P02", "57P03", "55P03"})

INFRASTRUCTURE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,  # includes ConnectionError and aiormq's AMQPConnectionError
    TimeoutError,
    asyncpg.InterfaceError,
    # "cannot switch to state N; another operation is in progress": a connection left
    # half-way through a protocol exchange when the server went away (seen on every
    # PostgreSQL restart of the fault suite). Not the message's fault.
    asyncpg.InternalClientError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.TimeoutError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    # An optimistic transaction that lost to a concurrent writer: contention, like a
    # serialization failure (40001), not the message's fault.
    redis.exceptions.WatchError,
    aiormq.exceptions.AMQPConnectionError,
    aiormq.exceptions.ChannelInvalidStateError,
)


def is_infrastructure_error(error: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _is_infrastructure(current):
            return True
        current = current.__cause__
    return False


def _is_infrastructure(error: BaseException) -> bool:
    if isinstance(error, INFRASTRUCTURE_ERRORS):
        return True
    if isinstance(error, sqlalchemy.exc.DBAPIError):
        # DBAPIError also wraps errors of the data (IntegrityError, DataError): decide by
        # the connection's fate, the driver's own error and the SQLSTATE, not the wrapper.
        return (
            error.connection_invalidated
            or _driver_error_is_infrastructure(error.orig)
            or _transient_sqlstate(error.orig)
        )
    if isinstance(error, asyncpg.PostgresError):
        return _transient_sqlstate(error)
    return False


def _driver_error_is_infrastructure(error: BaseException | None) -> bool:
    # SQLAlchemy's asyncpg adapter keeps the driver's exception as ``__cause__`` of ``orig``.
    cause = getattr(error, "__cause__", None)
    return isinstance(cause, INFRASTRUCTURE_ERRORS)


def _transient_sqlstate(error: BaseException | None) -> bool:
    state = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
    if not isinstance(state, str):
        return False
    return state in TRANSIENT_SQLSTATES or state[:2] in TRANSIENT_SQLSTATE_CLASSES
