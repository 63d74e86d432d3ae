"""How far a figure can be trusted: when its integration last synced successfully, and
whether its last day may still change, because that day is still running in the account's
own time zone or because it lies inside the platform's attribution window (platforms keep
revising recent days as late conversions are attributed; the sync worker re-reads them).

Comparing a figure with the platform's own screen needs the account's time zone and currency
and the attribution window: the integration routes expose all three."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Days a platform may still revise after the fact (its default attribution/conversion
# window, PLATFORMS.md): Meta up to 28 days, Google Ads' conversion window about 14.
ATTRIBUTION_WINDOW_DAYS = {"meta": 28, "google": 14, "tiktok": 7, "linkedin": 7, "twitter": 7}
ATTRIBUTION_TEXT = {
    "meta": "28-day click, 1-day view (Meta's default); days inside the window are revised",
    "google": "conversions attributed to the click date, up to 14 days later",
    "tiktok": "7-day click, 1-day view (TikTok's default)",
    "linkedin": "30-day click, 7-day view; the last 7 days are re-read",
    "twitter": "14-day engagement, 1-day view; the last 7 days are re-read",
}

PartialReason = Literal["today", "attribution_window"]


def attribution_window_days(platform: str) -> int:
    return ATTRIBUTION_WINDOW_DAYS.get(platform, 0)


def local_today(now: datetime, timezone: str) -> date:
    try:
        return now.astimezone(ZoneInfo(timezone)).date()
    except (ZoneInfoNotFoundError, ValueError):
        return now.date()


@dataclass(frozen=True)
class Freshness:
    last_synced_at: datetime | None
    timezone: str
    last_day: date
    last_day_partial: bool
    partial_reason: PartialReason | None
    revisable_from: date  # the first account-local day the platform may still revise

    def as_dict(self) -> dict[str, object]:
        return {
            "last_synced_at": self.last_synced_at,
            "timezone": self.timezone,
            "last_day": self.last_day,
            "last_day_partial": self.last_day_partial,
            "partial_reason": self.partial_reason,
            "revisable_from": self.revisable_from,
        }


def freshness(
    platform: str, timezone: str, last_synced_at: datetime | None, last_day: date, now: datetime
) -> Freshness:
    """The freshness of figures whose last day is ``last_day`` (account-local)."""
    today = local_today(now, timezone)
    revisable_from = today - timedelta(days=max(attribution_window_days(platform) - 1, 0))
    reason: PartialReason | None = None
    if last_day >= today:
        reason = "today"
    elif last_day >= revisable_from:
        reason = "attribution_window"
    return Freshness(last_synced_at, timezone, last_day, reason is not None, reason, revisable_from)


def combined(parts: Iterable[Freshness], last_day: date, timezone: str = "UTC") -> Freshness:
    """Figures summed over several integrations are as old as the oldest sync and partial if
    any part is (today wins over the attribution window as the reason)."""
    found = list(parts)
    if not found:
        return Freshness(None, timezone, last_day, False, None, last_day + timedelta(days=1))
    synced = [part.last_synced_at for part in found]
    reasons = {part.partial_reason for part in found}
    reason: PartialReason | None = (
        "today" if "today" in reasons else "attribution_window" if reasons != {None} else None
    )
    return Freshness(
        last_synced_at=None if None in synced else min(s for s in synced if s is not None),
        timezone=found[0].timezone if len({p.timezone for p in found}) == 1 else "mixed",
        last_day=last_day,
        last_day_partial=reason is not None,
        partial_reason=reason,
        revisable_from=min(part.revisable_from for part in found),
    )
