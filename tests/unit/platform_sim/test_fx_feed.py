"""The simulator's euro reference rates: deterministic from the seed, published on TARGET
working days only, in the ECB's document format (read back with the scheduler's parser)."""

from __future__ import annotations

from datetime import date

import pytest

from cmis_platform_sim.fx import FxFeed, is_target_day
from cmis_platform_sim.http import SimRequest
from cmis_scheduler.adapters.ecb_feed import parse_feed

pytestmark = pytest.mark.unit
END = date(2025, 4, 22)  # the Tuesday after Easter Monday 2025


def get(feed: FxFeed, name: str) -> tuple[int, bytes]:
    response = feed.handle(SimRequest("GET", f"/fx/{name}", b"", {}))
    return response.status, response.body


@pytest.mark.parametrize(
    ("day", "open_"),
    [
        (date(2025, 4, 17), True),  # Thursday
        (date(2025, 4, 18), False),  # Good Friday
        (date(2025, 4, 19), False),  # Saturday
        (date(2025, 4, 21), False),  # Easter Monday
        (date(2025, 5, 1), False),
        (date(2025, 12, 26), False),
        (date(2026, 1, 2), True),
    ],
)
def test_publication_days_are_target_working_days(day: date, open_: bool) -> None:
    assert is_target_day(day) is open_


def test_the_same_seed_gives_the_same_rates_and_another_seed_others() -> None:
    assert FxFeed(42, END).rates(END) == FxFeed(42, END).rates(END)
    assert FxFeed(42, END).rates(END) != FxFeed(7, END).rates(END)


def test_the_history_leaves_out_weekends_holidays_and_the_days_made_missing() -> None:
    feed = FxFeed(42, END)
    feed.faults.missing_days = {date(2025, 4, 16)}
    status, body = get(feed, "eurofxref-hist-90d.xml")
    days = parse_feed(body, "hist").days()
    assert status == 200
    assert days[-3:] == [date(2025, 4, 15), date(2025, 4, 17), date(2025, 4, 22)]
    assert all(is_target_day(day) for day in days)


def test_the_daily_feed_is_the_last_working_day_and_matches_the_history() -> None:
    feed = FxFeed(42, date(2025, 4, 21))  # Easter Monday: Thursday's rates
    daily = parse_feed(get(feed, "eurofxref-daily.xml")[1], "daily")
    assert daily.days() == [date(2025, 4, 17)]
    assert {r.currency: r.rate for r in daily.rates} == feed.rates(date(2025, 4, 17))


def test_the_fault_switch_fails_or_truncates_the_feed() -> None:
    feed = FxFeed(42, END)
    feed.admin(SimRequest("POST", "/_admin/fx", b"", {}, b'{"fail": 503}'))
    assert get(feed, "eurofxref-daily.xml")[0] == 503
    feed.admin(SimRequest("POST", "/_admin/fx", b"", {}, b'{"malformed": true}'))
    status, body = get(feed, "eurofxref-daily.xml")
    assert status == 200 and not body.rstrip().endswith(b"</gesmes:Envelope>")
    feed.admin(SimRequest("DELETE", "/_admin/fx", b"", {}))
    assert feed.faults.describe() == {"fail": None, "malformed": False, "missing_days": []}
