"""The ``exchange_rates`` table (the scheduler writes it; dashboard-api reads it)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from cmis_scheduler.domain.exchange_rates import PublishedRate
from cmis_shared.db.models import ExchangeRate


class ExchangeRateStore:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def newest_date(self) -> date | None:
        return await self._session.scalar(select(func.max(ExchangeRate.rate_date)))

    async def store(self, rates: Sequence[PublishedRate], source: str, at: datetime) -> int:
        """Insert or correct every rate (a re-published day replaces the stored one)."""
        if not rates:
            return 0
        statement = insert(ExchangeRate).values(
            [
                {
                    "currency": rate.currency,
                    "rate_date": rate.rate_date,
                    "rate": rate.rate,
                    "source": source,
                    "fetched_at": at,
                }
                for rate in rates
            ]
        )
        statement = statement.on_conflict_do_update(
            index_elements=[ExchangeRate.currency, ExchangeRate.rate_date],
            set_={
                "rate": statement.excluded.rate,
                "source": statement.excluded.source,
                "fetched_at": statement.excluded.fetched_at,
            },
        )
        await self._session.execute(statement)
        return len(rates)
