"""Backfill planning: windows cover the asked days exactly once, never past a platform's
limit, skip what live windows cover; the range checks; missing days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmis_dashboard_api.domain.backfill import (
    PLATFORM_LIMITS,
    BackfillRangeError,
    DayRange,
    check_range,
    latest_day,
    missing_days,
    months_before,
    plan_windows,
    split,
    uncovered,
)
from cmis_shared.events import Platform

DAY = timedelta(days=1)
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2026, 12, 31))


@st.composite
def ranges(draw: st.DrawFn, max_days: int = 800) -> DayRange:
    start = draw(days)
    return DayRange(start, start + DAY * draw(st.integers(0, max_days - 1)))


def _days_of(spans: list[DayRange]) -> list[date]:
    return [span.start + DAY * i for span in spans for i in range(span.days)]


def _all_days(span: DayRange) -> set[date]:
    return set(_days_of([span]))


@given(ranges(), st.sampled_from(list(Platform)))
def test_windows_cover_the_range_exactly_once_within_the_platform_limit(
    requested: DayRange, platform: Platform
) -> None:
    windows = plan_windows(platform, requested, [])
    covered = _days_of(windows)
    assert len(covered) == len(set(covered))  # no day twice
    assert set(covered) == _all_days(requested)  # every day once
    assert all(1 <= w.days <= PLATFORM_LIMITS[platform].max_days for w in windows)
    assert all(w.start <= w.end for w in windows)


@given(ranges(), st.lists(ranges(max_days=120), max_size=6), st.sampled_from(list(Platform)))
def test_windows_hold_exactly_the_days_no_live_window_covers(
    requested: DayRange, live: list[DayRange], platform: Platform
) -> None:
    windows = plan_windows(platform, requested, live)
    planned = _days_of(windows)
    assert len(planned) == len(set(planned))
    already = set(_days_of(live))
    assert set(planned) == _all_days(requested) - already
    assert all(w.days <= PLATFORM_LIMITS[platform].max_days for w in windows)


@given(ranges(), st.lists(ranges(max_days=120), max_size=6))
def test_a_second_identical_request_plans_nothing(
    requested: DayRange, live: list[DayRange]
) -> None:
    first = plan_windows(Platform.TIKTOK, requested, live)
    assert plan_windows(Platform.TIKTOK, requested, [*live, *first]) == []


@given(ranges(max_days=400), st.sets(days, max_size=60))
def test_missing_days_are_the_days_without_data(requested: DayRange, have: set[date]) -> None:
    gaps = missing_days(requested, have)
    assert set(_days_of(gaps)) == _all_days(requested) - have
    # Runs are maximal: two gaps never touch.
    for left, right in pairwise(gaps):
        assert right.start > left.end + DAY


def test_newest_days_go_first() -> None:
    windows = split(DayRange(date(2024, 1, 1), date(2024, 1, 20)), 7)
    assert windows == [
        DayRange(date(2024, 1, 14), date(2024, 1, 20)),
        DayRange(date(2024, 1, 7), date(2024, 1, 13)),
        DayRange(date(2024, 1, 1), date(2024, 1, 6)),
    ]


def test_a_year_of_x_is_53_windows_of_at_most_7_days() -> None:
    year = DayRange(date(2023, 1, 1), date(2023, 12, 31))
    assert len(plan_windows(Platform.TWITTER, year, [])) == 53
    assert len(plan_windows(Platform.META, year, [])) == 13


def test_uncovered_keeps_the_days_between_live_windows() -> None:
    requested = DayRange(date(2024, 1, 1), date(2024, 1, 31))
    live = [
        DayRange(date(2024, 1, 5), date(2024, 1, 10)),
        DayRange(date(2023, 12, 1), date(2024, 1, 2)),
    ]
    assert uncovered(requested, live) == [
        DayRange(date(2024, 1, 3), date(2024, 1, 4)),
        DayRange(date(2024, 1, 11), date(2024, 1, 31)),
    ]


TODAY = date(2026, 11, 30)


def test_range_order_future_and_horizon_are_refused_with_reasons() -> None:
    with pytest.raises(BackfillRangeError, match="since must not be after until"):
        check_range(DayRange(date(2026, 5, 2), date(2026, 5, 1)), [Platform.GOOGLE], TODAY)
    with pytest.raises(BackfillRangeError, match="after today"):
        check_range(DayRange(date(2026, 11, 1), date(2026, 12, 1)), [Platform.GOOGLE], TODAY)
    with pytest.raises(BackfillRangeError, match="meta keeps daily data for 37 months"):
        check_range(DayRange(date(2023, 10, 29), TODAY), [Platform.META], TODAY)
    check_range(DayRange(date(2023, 10, 30), TODAY), [Platform.META], TODAY)
    # The strictest platform of the request decides.
    with pytest.raises(BackfillRangeError, match="twitter"):
        check_range(DayRange(date(2024, 6, 1), TODAY), [Platform.META, Platform.TWITTER], TODAY)


def test_months_before_lands_on_the_month_end_when_the_day_is_missing() -> None:
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2026, 1, 15), 37) == date(2022, 12, 15)
    assert months_before(date(2026, 12, 31), 12) == date(2025, 12, 31)


def test_the_latest_day_is_the_easternmost_zone_s_date() -> None:
    assert latest_day(datetime(2026, 11, 30, 9, 59, tzinfo=UTC)) == date(2026, 11, 30)
    assert latest_day(datetime(2026, 11, 30, 10, 0, tzinfo=UTC)) == date(2026, 12, 1)
