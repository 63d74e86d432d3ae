"""Money and date conversions: exact, for every input (hypothesis)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmis_sync_worker.connectors.convert import (
    count_from,
    date_windows,
    day_in_zone,
    decimal_from,
    epoch_ms_to_datetime,
    micros_to_decimal,
    midnight_in_zone,
    minor_unit_exponent,
    minor_units_to_decimal,
    parse_day,
    parse_timestamp,
    seconds_until_utc_midnight,
)

pytestmark = pytest.mark.unit

INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
CURRENCIES = st.sampled_from(["USD", "EUR", "JPY", "KRW", "KWD", "BHD", "GBP", "CLP"])
ZONES = st.sampled_from(
    ["UTC", "America/Los_Angeles", "Asia/Tokyo", "Pacific/Kiritimati", "Europe/Berlin"]
)


@given(INT64)
def test_micros_are_exact_from_int_and_string(micros: int) -> None:
    value = micros_to_decimal(micros)
    assert value * 1_000_000 == micros
    assert micros_to_decimal(str(micros)) == value


@given(INT64, CURRENCIES)
def test_minor_units_scale_by_the_currency_exponent(minor: int, currency: str) -> None:
    value = minor_units_to_decimal(str(minor), currency)
    assert value * 10 ** minor_unit_exponent(currency) == minor


def test_minor_unit_exponents() -> None:
    assert minor_units_to_decimal("5000", "USD") == Decimal("50.00")
    assert minor_units_to_decimal("5000", "JPY") == Decimal("5000")
    assert minor_units_to_decimal("5000", "KWD") == Decimal("5.000")


@given(
    st.decimals(
        allow_nan=False, allow_infinity=False, places=4, min_value=-(10**12), max_value=10**12
    )
)
def test_decimal_strings_round_trip_exactly(value: Decimal) -> None:
    assert decimal_from(str(value)) == value
    assert decimal_from(value) == value


@pytest.mark.parametrize("bad", [1.5, True, "NaN", "Infinity", "12,5", ""])
def test_money_refuses_floats_and_non_numbers(bad: object) -> None:
    with pytest.raises((TypeError, ValueError)):
        decimal_from(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [1.0, Decimal("1.5"), "1.5"])
def test_integer_fields_refuse_fractions(bad: object) -> None:
    with pytest.raises((TypeError, ValueError)):
        micros_to_decimal(bad)  # type: ignore[arg-type]


def test_counts() -> None:
    assert count_from("19090") == 19090
    assert count_from(None) == 0
    assert count_from(Decimal("3")) == 3


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    st.integers(0, 400),
    st.integers(1, 40),
)
def test_date_windows_cover_the_range_contiguously(since: date, length: int, max_days: int) -> None:
    until = since + timedelta(days=length)
    windows = date_windows(since, until, max_days)
    assert windows[0][0] == since and windows[-1][1] == until
    for (_, end), (start, _) in pairwise(windows):
        assert start == end + timedelta(days=1)
    assert all(0 <= (end - start).days < max_days for start, end in windows)


def test_date_windows_of_an_empty_range() -> None:
    assert date_windows(date(2024, 1, 2), date(2024, 1, 1), 7) == []


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), ZONES)
def test_the_accounts_midnight_is_its_own_day(day: date, zone: str) -> None:
    midnight = midnight_in_zone(day, zone)
    assert day_in_zone(midnight.astimezone(UTC), zone) == day
    assert day_in_zone(midnight.astimezone(UTC) - timedelta(seconds=1), zone) == day - timedelta(
        days=1
    )


@given(st.integers(min_value=0, max_value=4_102_444_800_000))
def test_epoch_milliseconds_are_exact(millis: int) -> None:
    moment = epoch_ms_to_datetime(millis)
    assert moment.tzinfo is UTC
    assert round(moment.timestamp() * 1000) == millis


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-01-01T12:00:00+0000", datetime(2024, 1, 1, 12, tzinfo=UTC)),  # Meta
        ("2024-01-01T12:00:00.000Z", datetime(2024, 1, 1, 12, tzinfo=UTC)),  # X
        ("2024-01-01T21:00:00+09:00", datetime(2024, 1, 1, 12, tzinfo=UTC)),
    ],
)
def test_timestamps_in_the_platforms_formats(raw: str, expected: datetime) -> None:
    assert parse_timestamp(raw) == expected


def test_naive_timestamps_are_refused() -> None:
    with pytest.raises(ValueError):
        parse_timestamp("2024-01-01T12:00:00")


def test_days_in_the_platforms_formats() -> None:
    assert parse_day("2024-01-31") == parse_day("2024-01-31 00:00:00") == date(2024, 1, 31)


@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    )
)
def test_daily_quota_waits_until_midnight_utc(now: datetime) -> None:
    wait = seconds_until_utc_midnight(now)
    assert 0 < wait <= 86400
    assert (now + timedelta(seconds=wait)).time() == datetime.min.time()
