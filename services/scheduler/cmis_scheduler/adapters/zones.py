"""Time zones by name, cached; an unknown name falls back to UTC rather than stopping a
schedule (the organization's settings page is where a typo gets fixed)."""

from __future__ import annotations

from datetime import UTC, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import structlog

log = structlog.get_logger(__name__)


@lru_cache(maxsize=512)
def zone(name: str | None) -> tzinfo:
    if not name or name == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("unknown time zone; using UTC", timezone=name)
        return UTC
