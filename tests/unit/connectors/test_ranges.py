"""Reading a range in windows a platform can answer: every day once, in order, narrowed on
the fly (and kept narrow) when the platform says a window is too big."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmis_sync_worker.connectors.ranges import RangeTooBig, read_in_windows

pytestmark = pytest.mark.unit

START = date(2024, 1, 1)


class Platform:
    """Answers a window with its days, refusing windows longer than ``limit`` days."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.asked: list[tuple[date, date]] = []

    async def read(self, since: date, until: date) -> list[date]:
        self.asked.append((since, until))
        days = (until - since).days + 1
        if days > self.limit:
            raise RangeTooBig(f"{days} days")
        return [since + timedelta(days=n) for n in range(days)]


def give_up(day: date, reason: str) -> Exception:
    return TimeoutError(f"{day}: {reason}")


@given(
    length=st.integers(min_value=1, max_value=800),
    max_days=st.integers(min_value=1, max_value=120),
    limit=st.integers(min_value=1, max_value=120),
)
async def test_every_day_is_read_exactly_once_in_order(
    length: int, max_days: int, limit: int
) -> None:
    platform = Platform(limit)
    until = START + timedelta(days=length - 1)
    days = await read_in_windows(START, until, max_days, platform.read, give_up)
    assert days == [START + timedelta(days=n) for n in range(length)]
    answered = [w for w in platform.asked if (w[1] - w[0]).days < limit]
    assert all((w[1] - w[0]).days < max_days for w in platform.asked)
    # Narrowing is remembered: refusals are at most one per halving, not one per window.
    refusals = len(platform.asked) - len(answered)
    assert refusals <= max_days.bit_length()


async def test_windows_are_the_platform_maximum_when_nothing_is_refused() -> None:
    platform = Platform(limit=30)
    await read_in_windows(START, START + timedelta(days=89), 30, platform.read, give_up)
    assert [(w[1] - w[0]).days + 1 for w in platform.asked] == [30, 30, 30]


async def test_a_refused_window_is_halved_and_the_span_kept() -> None:
    platform = Platform(limit=10)
    await read_in_windows(START, START + timedelta(days=39), 40, platform.read, give_up)
    spans = [(w[1] - w[0]).days + 1 for w in platform.asked]
    assert spans == [40, 20, 10, 10, 10, 10]


async def test_a_single_day_still_refused_gives_up_with_the_reason() -> None:
    async def never(since: date, until: date) -> list[date]:
        raise RangeTooBig("report run Job Failed")

    with pytest.raises(TimeoutError, match="2024-01-01: report run Job Failed"):
        await read_in_windows(START, START + timedelta(days=5), 6, never, give_up)


async def test_max_days_must_be_positive() -> None:
    with pytest.raises(ValueError):
        await read_in_windows(START, START, 0, Platform(1).read, give_up)
