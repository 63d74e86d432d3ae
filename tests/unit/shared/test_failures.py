"""The consumer's error taxonomy: infrastructure errors retried, data errors counted."""

from __future__ import annotations

import aiormq.exceptions
import asyncpg
import pytest
import redis.exceptions
import sqlalchemy.exc

from cmis_shared.failures import is_infrastructure_error


class _DriverError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def _dbapi(sqlstate: str, cls: type[sqlalchemy.exc.DBAPIError] = sqlalchemy.exc.DBAPIError):
    return cls("SELECT 1", {}, _DriverError(sqlstate))


class DomainError(Exception):
    pass


@pytest.mark.parametrize(
    "error",
    [
        OSError("unreachable"),
        ConnectionRefusedError(),
        TimeoutError(),
        sqlalchemy.exc.InterfaceError("SELECT 1", {}, Exception("connection is closed")),
        sqlalchemy.exc.OperationalError("SELECT 1", {}, Exception("server closed")),
        _dbapi("57P01"),  # terminating connection due to administrator command
        _dbapi("08006"),  # connection failure
        _dbapi("40001", sqlalchemy.exc.DBAPIError),  # serialization failure
        _dbapi("40P01"),  # deadlock
        _dbapi("57014"),  # statement timeout
        asyncpg.exceptions.SerializationError("could not serialize"),
        asyncpg.exceptions.AdminShutdownError("terminating"),
        asyncpg.exceptions.ConnectionDoesNotExistError("gone"),
        redis.exceptions.ConnectionError("refused"),
        redis.exceptions.TimeoutError("slow"),
        # an optimistic transaction lost to another writer (the dashboard view's, under load)
        redis.exceptions.WatchError("watched key changed"),
        aiormq.exceptions.ChannelInvalidStateError("closed"),
        aiormq.exceptions.AMQPConnectionError("closed"),
    ],
    ids=repr,
)
def test_infrastructure_errors(error: BaseException) -> None:
    assert is_infrastructure_error(error)


@pytest.mark.parametrize(
    "error",
    [
        RuntimeError("boom"),
        ValueError("bad data"),
        _dbapi("23505", sqlalchemy.exc.IntegrityError),  # unique violation
        _dbapi("22021", sqlalchemy.exc.DataError),  # NUL byte in text
        _dbapi("22001", sqlalchemy.exc.DataError),  # string too long
        asyncpg.exceptions.UniqueViolationError("duplicate"),
        redis.exceptions.ResponseError("WRONGTYPE"),
    ],
    ids=repr,
)
def test_errors_of_the_message_or_its_data(error: BaseException) -> None:
    assert not is_infrastructure_error(error)


def test_a_domain_error_caused_by_a_driver_error_is_infrastructure() -> None:
    try:
        try:
            raise redis.exceptions.ConnectionError("refused")
        except redis.exceptions.ConnectionError as driver:
            raise DomainError("limiter unavailable") from driver
    except DomainError as error:
        assert is_infrastructure_error(error)


def test_a_connection_left_mid_protocol_is_infrastructure() -> None:
    """After a PostgreSQL restart: the driver's error, bare or wrapped by SQLAlchemy's
    adapter (which keeps it as the cause of its own ``InternalError``)."""
    driver = asyncpg.InternalClientError("cannot switch to state 15; another operation")
    assert is_infrastructure_error(driver)
    adapted = Exception("InternalClientError")
    adapted.__cause__ = driver
    assert is_infrastructure_error(sqlalchemy.exc.InternalError("SELECT 1", {}, adapted))


def test_a_data_error_wrapped_by_the_adapter_still_counts() -> None:
    adapted = Exception("DataError")
    adapted.__cause__ = asyncpg.exceptions.DataError("value out of int16 range")
    assert not is_infrastructure_error(sqlalchemy.exc.DBAPIError("SELECT 1", {}, adapted))
