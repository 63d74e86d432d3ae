"""The euro reference rates (``exchange_rates``, written by the scheduler's rates job) for the
dashboard's conversions: one read of the recent history, kept in-process for a while.

Rates change once a day, so each process re-reads them every ``cache_seconds``; while it has
none (a new installation before the rates job's first pass) every ``EMPTY_RETRY_SECONDS``.
While PostgreSQL is unreachable the last book read stays in use (events keep applying to the
view, as they do without PostgreSQL); before any read succeeded, the book is empty and money
in another currency than the organization's is reported as unconverted."""

from __future__ import annotations

from datetime import datetime, timedelta

import structlog
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cmis_dashboard_api.domain.fx import RateBook
from cmis_shared.clock import Clock, system_clock

log = structlog.get_logger(__name__)
EMPTY_RETRY_SECONDS = 10.0
_EMPTY_RETRY = timedelta(seconds=EMPTY_RETRY_SECONDS)

_RATES = text(
    "SELECT currency, rate_date, rate FROM exchange_rates WHERE rate_date >= :since "
    "ORDER BY currency, rate_date"
)


class SqlExchangeRates:
    """:class:`cmis_dashboard_api.ports.ExchangeRates` over PostgreSQL."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        history_days: int,
        cache_seconds: float,
        clock: Clock = system_clock,
    ) -> None:
        self._sessions = sessions
        self._history = timedelta(days=history_days)
        self._cache = timedelta(seconds=cache_seconds)
        self._clock = clock
        self._book = RateBook()
        self._read_at: datetime | None = None

    async def book(self) -> RateBook:
        now = self._clock()
        keep = self._cache if self._book else min(self._cache, _EMPTY_RETRY)
        if self._read_at is not None and now - self._read_at < keep:
            return self._book
        self._read_at = now
        try:
            async with self._sessions() as session:
                rows = await session.execute(_RATES, {"since": (now - self._history).date()})
                self._book = RateBook.of((row.currency, row.rate_date, row.rate) for row in rows)
        except (SQLAlchemyError, OSError) as error:
            log.warning("exchange rates not read; the last ones stay in use", error=repr(error))
        return self._book
