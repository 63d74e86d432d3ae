"""Reading a long date range in the pieces a platform can answer: windows of at most the
platform's maximum, narrowed on the fly when the platform says a piece is too big (a report
job that failed or timed out, more elements than one answer may hold).

Narrowing is adaptive: a window that is too big is halved and retried, and the span that
worked is kept for the rest of the range, so a year costs a few extra calls, not a halving
per window. Every day of the range is read exactly once, in order.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import TypeVar

Row = TypeVar("Row")


class RangeTooBig(Exception):
    """A platform could not answer this window (it is too big for one call or one job);
    ``reason`` says why, for the error raised when even one day is too big."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# What to raise when a single day is still too big.
GiveUp = Callable[[date, str], Exception]


async def read_in_windows(
    since: date,
    until: date,
    max_days: int,
    read: Callable[[date, date], Awaitable[list[Row]]],
    give_up: GiveUp,
) -> list[Row]:
    """``read`` every day of ``[since, until]`` once, in windows of at most ``max_days``;
    a window whose ``read`` raises :class:`RangeTooBig` is halved (and the smaller span kept)
    down to one day, where ``give_up(day, reason)`` is raised instead."""
    if max_days < 1:
        raise ValueError("max_days must be at least 1")
    rows: list[Row] = []
    span, start = max_days, since
    while start <= until:
        end = min(until, start + timedelta(days=span - 1))
        try:
            rows += await read(start, end)
        except RangeTooBig as too_big:
            if end == start:
                raise give_up(start, too_big.reason) from too_big
            span = max(1, ((end - start).days + 1) // 2)
            continue
        start = end + timedelta(days=1)
    return rows
