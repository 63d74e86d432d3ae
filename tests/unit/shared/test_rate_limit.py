"""The shared limiter's rates: a window's limit becomes an interval and a burst."""

from __future__ import annotations

from cmis_shared.rate_limit import MICROS, Rate


def test_a_window_limit_allows_the_limit_at_once_then_paces() -> None:
    rate = Rate.per_window(5, 60)
    assert rate.interval_micros == 12 * MICROS
    assert rate.tolerance_micros == 4 * 12 * MICROS  # five cells at the same instant


def test_calls_per_second_burst_one_second() -> None:
    assert Rate.per_second(10) == Rate(MICROS // 10, 9 * MICROS // 10)


def test_a_slow_rate_still_grants_one_cell() -> None:
    assert Rate.per_second(0.5) == Rate(2 * MICROS, 0)
