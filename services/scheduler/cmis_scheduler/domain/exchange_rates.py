"""Euro reference rates as the rates job handles them: what a feed publishes, and when the
daily feed is not enough (the store is empty, or has missed more than a long weekend: then
the 90-day history fills the gap). Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal


class RateFeedError(Exception):
    """The feed could not be read or is not a euro reference rates document; nothing of it
    is stored. ``reason`` is safe to log (never a URL with credentials)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class PublishedRate:
    currency: str
    rate_date: date
    rate: Decimal  # units of ``currency`` per 1 EUR


@dataclass(frozen=True)
class FeedRates:
    source: str  # which feed: "daily" or "hist-90d"
    rates: tuple[PublishedRate, ...]

    def days(self) -> list[date]:
        return sorted({rate.rate_date for rate in self.rates})


def needs_history(newest_stored: date | None, published: date, max_gap: timedelta) -> bool:
    """Whether the days between what is stored and the daily feed's day must come from the
    history feed: nothing stored yet, or the newest stored day is more than ``max_gap``
    before the day the daily feed publishes."""
    return newest_stored is None or published - newest_stored > max_gap
