"""Quiet hours: a daily window in the organization's time zone (``22:00``-``07:00`` spans
midnight) during which only critical alerts go out; the rest wait for the window's end."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start == self.end:
            raise ValueError("quiet hours need a start different from their end")

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> QuietHours:
        return cls(time.fromisoformat(data["start"]), time.fromisoformat(data["end"]))

    def to_json(self) -> dict[str, str]:
        return {"start": self.start.strftime("%H:%M"), "end": self.end.strftime("%H:%M")}

    def is_quiet(self, now: datetime, zone: ZoneInfo) -> bool:
        """``now`` (aware) falls inside the window, read on the wall clock of ``zone``."""
        wall = now.astimezone(zone).time()
        if self.start < self.end:
            return self.start <= wall < self.end
        return wall >= self.start or wall < self.end  # the window spans midnight

    def ends_after(self, now: datetime, zone: ZoneInfo) -> datetime:
        """The next end of the window after ``now``, in UTC-aware form (DST-safe: the end is
        built on the local date, then converted)."""
        local = now.astimezone(zone)
        for days in (0, 1):
            candidate = datetime.combine(local.date() + timedelta(days=days), self.end, zone)
            if candidate > local:
                return candidate
        raise AssertionError("unreachable: an end time recurs daily")  # pragma: no cover


def zone_of(name: str | None) -> ZoneInfo:
    """The organization's zone; an unknown or missing name reads as UTC."""
    try:
        return ZoneInfo(name or "UTC")
    except (ValueError, KeyError):
        return ZoneInfo("UTC")
