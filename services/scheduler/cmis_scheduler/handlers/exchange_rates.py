"""The daily rates job: read the provider's daily feed (and its 90-day history when the
stored rates have a gap) and store them in one transaction. A feed that cannot be read or
parsed stores nothing; the job tries again on its next pass."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import structlog

from cmis_scheduler.domain.exchange_rates import RateFeedError, needs_history
from cmis_scheduler.ports import RateFeed, UnitsOfWork
from cmis_shared.clock import Clock

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class RatesPass:
    stored: int = 0
    source: str | None = None
    error: str | None = None


async def refresh_exchange_rates(
    feed: RateFeed, uows: UnitsOfWork, clock: Clock, max_gap: timedelta
) -> RatesPass:
    try:
        fetched = await feed.daily()
        async with uows() as uow:
            newest = await uow.exchange_rates.newest_date()
        if needs_history(newest, max(fetched.days()), max_gap):
            fetched = await feed.history()
    except RateFeedError as error:
        log.warning("exchange rates not updated", reason=error.reason)
        return RatesPass(error=error.reason)
    async with uows() as uow:
        stored = await uow.exchange_rates.store(fetched.rates, fetched.source, clock())
        await uow.commit()
    days = fetched.days()
    log.info(
        "exchange rates stored", rates=stored, source=fetched.source,
        first_day=days[0].isoformat(), last_day=days[-1].isoformat(),
    )  # fmt: skip
    return RatesPass(stored, fetched.source)
