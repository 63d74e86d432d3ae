"""Backfill planning: which days of which integration a backfill request still has to read,
cut into windows each platform accepts in one request. Pure: dates in, windows out.

``PLATFORM_LIMITS`` is the one table of each platform's limits. ``horizon_months`` is how far
back the platform serves daily figures; ``max_days`` the longest range one window may ask for
(the connector then reads it in as few platform calls as the API allows):

- Google Ads: daily (``segments.date``) figures reach back 37 months (the API's
  ``DateRangeError.REQUESTED_DATE_GRANULARITY_NOT_SUPPORTED``); a GAQL range has no length
  limit (pages of 10,000 rows), so a window is a month, to keep one sync short.
- Meta insights: 37 months back (PLATFORMS.md); the synchronous insights call is kept to 30
  days (the connector's ``meta_insights_window_days``).
- TikTok: ``report/integrated/get`` with ``stat_time_day`` takes at most 30 days per call.
  Horizon not found in the stored docs: 36 months, conservatively (verify).
- LinkedIn ``adAnalytics``: no pagination, so a window of 31 days keeps the element count of
  a daily, per-campaign answer small. Horizon not found in the stored docs: 24 months,
  conservatively (verify).
- X Ads: the synchronous stats endpoint takes at most 7 days per call. Horizon not found in
  the stored docs: 24 months, conservatively (verify).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from cmis_shared.events import DataType, Platform


@dataclass(frozen=True)
class PlatformLimit:
    horizon_months: int
    max_days: int


PLATFORM_LIMITS: dict[Platform, PlatformLimit] = {
    Platform.GOOGLE: PlatformLimit(horizon_months=37, max_days=31),
    Platform.META: PlatformLimit(horizon_months=37, max_days=30),
    Platform.TIKTOK: PlatformLimit(horizon_months=36, max_days=30),
    Platform.LINKEDIN: PlatformLimit(horizon_months=24, max_days=31),
    Platform.TWITTER: PlatformLimit(horizon_months=24, max_days=7),
}

# Data types a date range means something for: daily metrics, and posts by publication day.
BACKFILL_DATA_TYPES = (DataType.METRICS, DataType.POSTS)


@dataclass(frozen=True)
class DayRange:
    """An inclusive range of days."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


class BackfillRangeError(ValueError):
    """A requested range the platforms cannot serve; the message is safe to show."""


def latest_day(now: datetime) -> date:
    """The latest date any ad account may be on at ``now``: the calendar of UTC+14 (accounts
    keep their own time zone, and a range is in the accounts' dates)."""
    return (now + timedelta(hours=14)).date()


def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier (the month's last day when it has fewer days)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    last = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


def earliest_day(platform: Platform, today: date) -> date:
    return months_before(today, PLATFORM_LIMITS[platform].horizon_months)


def check_range(requested: DayRange, platforms: Iterable[Platform], today: date) -> None:
    """Refuse a range that ends before it starts, reaches past today, or starts before the
    horizon of one of the platforms asked for."""
    if requested.start > requested.end:
        raise BackfillRangeError("since must not be after until")
    if requested.end > today:
        raise BackfillRangeError(f"until must not be after today ({today.isoformat()})")
    for platform in sorted(set(platforms)):
        earliest = earliest_day(platform, today)
        if requested.start < earliest:
            raise BackfillRangeError(
                f"{platform.value} keeps daily data for "
                f"{PLATFORM_LIMITS[platform].horizon_months} months: since must be on or "
                f"after {earliest.isoformat()}"
            )


def uncovered(requested: DayRange, covered: Sequence[DayRange]) -> list[DayRange]:
    """The parts of ``requested`` no range of ``covered`` holds, in order."""
    gaps: list[DayRange] = []
    cursor = requested.start
    for span in sorted(covered, key=lambda r: r.start):
        if span.end < cursor:
            continue
        if span.start > requested.end:
            break
        if span.start > cursor:
            gaps.append(DayRange(cursor, span.start - timedelta(days=1)))
        cursor = max(cursor, span.end + timedelta(days=1))
        if cursor > requested.end:
            return gaps
    if cursor <= requested.end:
        gaps.append(DayRange(cursor, requested.end))
    return gaps


def split(span: DayRange, max_days: int) -> list[DayRange]:
    """Consecutive windows of at most ``max_days``, newest first: recent history is the most
    wanted, so it arrives first."""
    if max_days < 1:
        raise ValueError("max_days must be at least 1")
    windows: list[DayRange] = []
    end = span.end
    while end >= span.start:
        start = max(span.start, end - timedelta(days=max_days - 1))
        windows.append(DayRange(start, end))
        end = start - timedelta(days=1)
    return windows


def plan_windows(
    platform: Platform, requested: DayRange, covered: Sequence[DayRange]
) -> list[DayRange]:
    """The windows a request adds for one integration and data type: only days no live
    window (pending, running or done) already covers, each within the platform's limit."""
    max_days = PLATFORM_LIMITS[platform].max_days
    return [
        window for gap in reversed(uncovered(requested, covered)) for window in split(gap, max_days)
    ]


def missing_days(requested: DayRange, days_with_data: Iterable[date]) -> list[DayRange]:
    """The runs of consecutive days in ``requested`` that have no data."""
    have = sorted({day for day in days_with_data if requested.start <= day <= requested.end})
    return uncovered(requested, [DayRange(day, day) for day in have])
