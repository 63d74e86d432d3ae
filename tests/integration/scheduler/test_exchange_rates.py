"""The rates job against the platform simulator's euro reference rates feed, into PostgreSQL,
and read back the way the dashboard reads them: a first pass fills the 90-day history, later
passes the day; a failing or malformed feed stores nothing; a day missing from the feed is
converted at the rate published before it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cmis_dashboard_api.adapters.exchange_rates import SqlExchangeRates
from cmis_platform_sim.fx import FxFeed, is_target_day
from cmis_scheduler.adapters.ecb_feed import HttpRateFeed
from cmis_scheduler.adapters.unit_of_work import SqlUnitOfWork
from cmis_scheduler.bootstrap import schedule_defaults
from cmis_scheduler.handlers.exchange_rates import RatesPass, refresh_exchange_rates
from cmis_shared.clock import ManualClock
from cmis_shared.db.engine import create_engine, create_session_factory
from cmis_shared.settings import CmisSettings
from tests.integration.scheduler.conftest import scheduler_settings
from tests.support.platform_sim import END_DATE, SEED, PlatformSim

pytestmark = pytest.mark.integration
MAX_GAP = timedelta(days=4)
NOW = datetime.combine(END_DATE, datetime.min.time(), UTC) + timedelta(hours=18)


@dataclass
class Job:
    sessions: async_sessionmaker[AsyncSession]
    feed: HttpRateFeed
    clock: ManualClock

    async def run(self) -> RatesPass:
        defaults = schedule_defaults(scheduler_settings(CmisSettings(environment="test")))
        return await refresh_exchange_rates(
            self.feed, lambda: SqlUnitOfWork(self.sessions, defaults), self.clock, MAX_GAP
        )

    async def stored(self) -> dict[tuple[str, date], Decimal]:
        async with self.sessions() as session:
            rows = await session.execute(
                text("SELECT currency, rate_date, rate FROM exchange_rates")
            )
            return {(row.currency, row.rate_date): row.rate for row in rows}


@pytest.fixture
async def job(settings: CmisSettings, platform_sim: PlatformSim) -> AsyncIterator[Job]:
    engine = create_engine(settings)
    async with httpx.AsyncClient(timeout=10) as client:
        try:
            yield Job(
                create_session_factory(engine),
                HttpRateFeed(client, f"{platform_sim.base_url}/fx"),
                ManualClock(NOW),
            )
        finally:
            await engine.dispose()


def working_days(last: date, count: int) -> set[date]:
    return {last - timedelta(days=n) for n in range(count) if is_target_day(last - timedelta(n))}


async def test_a_first_pass_stores_the_90_day_history_with_its_weekend_gaps(job: Job) -> None:
    outcome = await job.run()
    stored = await job.stored()
    days = {day for _, day in stored}
    assert outcome.source == "hist-90d"
    assert days == working_days(END_DATE, 90)
    assert not any(day.weekday() >= 5 for day in days)
    expected = FxFeed(SEED, END_DATE).rates(END_DATE)
    assert {c: r for (c, d), r in stored.items() if d == END_DATE} == expected
    assert outcome.stored == len(stored)


async def test_a_later_pass_reads_the_daily_feed_only(job: Job) -> None:
    await job.run()
    assert (await job.run()).source == "daily"


@pytest.mark.parametrize("fault", [{"fail": 503}, {"malformed": True}])
async def test_a_failing_or_malformed_feed_stores_nothing(
    job: Job, platform_sim: PlatformSim, fault: dict[str, object]
) -> None:
    platform_sim.set_fx_faults(**fault)
    outcome = await job.run()
    assert outcome.stored == 0
    assert outcome.error is not None
    assert await job.stored() == {}
    platform_sim.clear_fx_faults()
    assert (await job.run()).source == "hist-90d"  # the next pass recovers
    assert await job.stored() != {}


async def test_a_day_missing_from_the_feed_converts_at_the_rate_before_it(
    job: Job, platform_sim: PlatformSim
) -> None:
    missing, before = date(2025, 3, 27), date(2025, 3, 26)  # a Thursday and the Wednesday
    platform_sim.set_fx_faults(missing_days=[missing.isoformat()])
    await job.run()
    stored = await job.stored()
    assert ("USD", missing) not in stored
    assert ("USD", before) in stored

    book = await SqlExchangeRates(
        job.sessions, history_days=120, cache_seconds=0, clock=job.clock
    ).book()
    rate = book.rate("USD", missing)
    assert (rate.value, rate.rate_date) == (stored[("USD", before)], before)
    weekend = book.rate("USD", date(2025, 3, 30))  # a Sunday: Friday's
    assert weekend.rate_date == date(2025, 3, 28)
