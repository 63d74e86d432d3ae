"""Which days and posts a sync reads, in the ad account's own calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

FACTS_DAYS = 30  # "last 30 days" figures of the dashboard and alerting


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
) -> SyncWindow:
    """Metrics: the requested window, else the last ``lookback_days`` days up to today
    (platforms revise recent days, so they are re-read every time). A requested end past
    today is clamped to today; a start after the end is moved to the end."""
    today = account_today(now, timezone)
    until = min(requested_end or today, today)
    since = requested_start or until - timedelta(days=max(lookback_days, 1) - 1)
    since = min(since, until)
    posts_since = now - timedelta(days=posts_lookback_days)
    if requested_start is not None:
        posts_since = datetime.combine(requested_start, datetime.min.time(), tzinfo=now.tzinfo)
    return SyncWindow(since, until, posts_since, today)
