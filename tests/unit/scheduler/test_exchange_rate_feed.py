"""The euro reference rates document and the rates job's choice of feed (no I/O)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from cmis_scheduler.adapters.ecb_feed import parse_feed
from cmis_scheduler.domain.exchange_rates import (
    FeedRates,
    PublishedRate,
    RateFeedError,
    needs_history,
)
from cmis_scheduler.handlers.exchange_rates import refresh_exchange_rates
from tests.unit.scheduler.fake_uow import FakeStore
from tests.unit.scheduler.fakes import START

pytestmark = pytest.mark.unit

ECB_DAILY = b"""<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01"
    xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
  <gesmes:subject>Reference rates</gesmes:subject>
  <gesmes:Sender><gesmes:name>European Central Bank</gesmes:name></gesmes:Sender>
  <Cube>
    <Cube time='2024-01-15'>
      <Cube currency='USD' rate='1.0945'/>
      <Cube currency='JPY' rate='160.46'/>
    </Cube>
    <Cube time='2024-01-12'>
      <Cube currency='USD' rate='1.0942'/>
    </Cube>
  </Cube>
</gesmes:Envelope>"""


def test_every_day_and_currency_of_the_document_is_read_as_decimal() -> None:
    feed = parse_feed(ECB_DAILY, "daily")
    assert feed.days() == [date(2024, 1, 12), date(2024, 1, 15)]
    rates = {(r.currency, r.rate_date): r.rate for r in feed.rates}
    assert rates == {
        ("USD", date(2024, 1, 15)): Decimal("1.0945"),
        ("JPY", date(2024, 1, 15)): Decimal("160.46"),
        ("USD", date(2024, 1, 12)): Decimal("1.0942"),
    }


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<html>Service Unavailable</html>", "no publication day"),
        (ECB_DAILY[: len(ECB_DAILY) // 2], "not a rates document"),
        (ECB_DAILY.replace(b"2024-01-15", b"2024-13-15"), "invalid day"),
        (ECB_DAILY.replace(b"'JPY'", b"'yen'"), "invalid currency"),
        (ECB_DAILY.replace(b"'160.46'", b"'abc'"), "invalid JPY rate"),
        (ECB_DAILY.replace(b"'160.46'", b"'-1'"), "invalid JPY rate"),
        (ECB_DAILY.replace(b"'160.46'", b"'NaN'"), "invalid JPY rate"),
    ],
)
def test_a_bad_document_is_refused_as_a_whole(body: bytes, reason: str) -> None:
    with pytest.raises(RateFeedError, match=reason):
        parse_feed(body, "daily")


def test_entity_expansion_is_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><x>&b;</x>'
    )
    with pytest.raises(RateFeedError, match="not a rates document"):
        parse_feed(bomb, "daily")


def test_the_history_fills_an_empty_store_or_a_gap_longer_than_allowed() -> None:
    gap, published = timedelta(days=4), date(2024, 1, 15)
    assert needs_history(None, published, gap)
    assert not needs_history(date(2024, 1, 12), published, gap)  # a weekend
    assert not needs_history(date(2024, 1, 11), published, gap)
    assert needs_history(date(2024, 1, 10), published, gap)


class FakeFeed:
    """The provider: a daily and a history document's rates, or a failure."""

    def __init__(self, daily: FeedRates | RateFeedError, history: FeedRates) -> None:
        self._daily, self._history = daily, history
        self.reads: list[str] = []

    async def daily(self) -> FeedRates:
        self.reads.append("daily")
        if isinstance(self._daily, RateFeedError):
            raise self._daily
        return self._daily

    async def history(self) -> FeedRates:
        self.reads.append("history")
        return self._history


def _rates(source: str, *days: date) -> FeedRates:
    return FeedRates(source, tuple(PublishedRate("USD", day, Decimal("1.1")) for day in days))


MON, FRI = date(2024, 1, 15), date(2024, 1, 12)
GAP = timedelta(days=4)


async def test_an_empty_store_is_filled_from_the_history() -> None:
    store = FakeStore()
    feed = FakeFeed(_rates("daily", MON), _rates("hist-90d", FRI, MON))
    outcome = await refresh_exchange_rates(feed, store.uow, lambda: START, GAP)
    assert (outcome.stored, outcome.source, feed.reads) == (2, "hist-90d", ["daily", "history"])
    assert set(store.state.rates) == {("USD", FRI), ("USD", MON)}


async def test_a_store_without_a_gap_takes_the_daily_feed_only() -> None:
    store = FakeStore()
    store.state.rates[("USD", FRI)] = (Decimal(1), "daily")
    feed = FakeFeed(_rates("daily", MON), _rates("hist-90d", FRI, MON))
    outcome = await refresh_exchange_rates(feed, store.uow, lambda: START, GAP)
    assert (outcome.source, feed.reads) == ("daily", ["daily"])
    assert store.state.rates[("USD", MON)] == (Decimal("1.1"), "daily")


async def test_a_failing_feed_stores_nothing_and_says_why() -> None:
    store = FakeStore()
    feed = FakeFeed(RateFeedError("daily feed answered HTTP 503"), _rates("hist-90d", MON))
    outcome = await refresh_exchange_rates(feed, store.uow, lambda: START, GAP)
    assert (outcome.stored, outcome.error) == (0, "daily feed answered HTTP 503")
    assert store.state.rates == {}
