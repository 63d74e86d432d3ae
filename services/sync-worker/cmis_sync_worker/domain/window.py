"""Which days and posts a sync reads, in the ad account's own calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

FACTS_DAYS = 30  # "last 30 days" figures of the dashboard and alerting
DEFAULT_BACKFILL_DAYS = 90  # a new integration's history, read on its first metrics sync


def account_today(now: datetime, timezone: str) -> date:
    try:
        return now.astimezone(ZoneInfo(timezone)).date()
    except (ZoneInfoNotFoundError, ValueError):
        return now.date()  # an unknown zone reads as UTC rather than failing the sync


@dataclass(frozen=True)
class SyncWindow:
    metrics_since: date
    metrics_until: date
    posts_since: datetime
    today: date  # account-local

    @property
    def facts_since(self) -> date:
        return self.today - timedelta(days=FACTS_DAYS - 1)


def sync_window(
    now: datetime,
    timezone: str,
    lookback_days: int,
    posts_lookback_days: int,
    requested_start: date | None = None,
    requested_end: date | None = None,
    *,
    latest_stored_day: date | None = None,
    backfill_days: int = DEFAULT_BACKFILL_DAYS,
) -> SyncWindow:
    """Metrics: the requested window, else the last ``lookback_days`` days up to today
    (platforms revise recent days, so they are re-read every time). With nothing stored yet
    (a new integration) the last ``backfill_days`` are read; after a gap (an integration paused
    for weeks) the window reaches back to the last stored day, within ``backfill_days``. A
    requested end past today is clamped to today; a start after the end is moved to the end."""
    today = account_today(now, timezone)
    until = min(requested_end or today, today)
    since = requested_start or _default_start(
        until, lookback_days, latest_stored_day, backfill_days
    )
    since = min(since, until)
    posts_since = now - timedelta(days=posts_lookback_days)
    if requested_start is not None:
        posts_since = datetime.combine(requested_start, datetime.min.time(), tzinfo=now.tzinfo)
    return SyncWindow(since, until, posts_since, today)


def _default_start(
    until: date, lookback_days: int, latest_stored_day: date | None, backfill_days: int
) -> date:
    lookback_start = until - timedelta(days=max(lookback_days, 1) - 1)
    earliest = until - timedelta(days=max(backfill_days, lookback_days, 1) - 1)
    if latest_stored_day is None:
        return earliest
    return max(min(lookback_start, latest_stored_day), earliest)
