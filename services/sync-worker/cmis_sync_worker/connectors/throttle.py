"""Reading how close a platform says we are to its limits, and how long it wants us to wait.

Pure functions over header values; the transport turns them into a sleep or a
:class:`RateLimited` error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """``Retry-After`` as delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def google_duration_seconds(value: object) -> float | None:
    """Google's protobuf Duration in JSON form: ``"30s"`` or ``"1.5s"``."""
    if not isinstance(value, str):
        return None
    match = _DURATION.match(value)
    return float(match.group(1)) if match else None


def epoch_reset_seconds(value: str | None, now: datetime) -> float | None:
    """X's ``x-rate-limit-reset``: the epoch second at which the window resets."""
    if not value or not value.strip().isdigit():
        return None
    return max(0.0, int(value) - now.timestamp())


def _percentages(payload: object) -> list[float]:
    """Every usage percentage in one of Meta's usage headers, however nested."""
    found: list[float] = []
    if isinstance(payload, Mapping):
        for key, item in payload.items():
            if key in ("call_count", "total_cputime", "total_time", "acc_id_util_pct") and (
                isinstance(item, int | float)
            ):
                found.append(float(item))
            else:
                found.extend(_percentages(item))
    elif isinstance(payload, list):
        for item in payload:
            found.extend(_percentages(item))
    return found


def meta_usage_fraction(headers: Mapping[str, str]) -> float:
    """Highest usage across ``X-App-Usage``, ``X-Ad-Account-Usage`` and
    ``X-Business-Use-Case-Usage`` (each in percent), as a fraction of the limit."""
    highest = 0.0
    for name in ("x-app-usage", "x-ad-account-usage", "x-business-use-case-usage"):
        raw = headers.get(name)
        if not raw:
            continue
        try:
            payload = json.loads(raw)
        except ValueError:
            continue
        highest = max([highest, *_percentages(payload)])
    return highest / 100.0


def meta_regain_access_seconds(headers: Mapping[str, str]) -> float | None:
    """``estimated_time_to_regain_access`` (minutes) from ``X-Business-Use-Case-Usage``."""
    raw = headers.get("x-business-use-case-usage")
    if not raw:
        return None
    try:
        payload = json.loads(raw)
    except ValueError:
        return None
    minutes = [
        entry.get("estimated_time_to_regain_access", 0)
        for entries in (payload.values() if isinstance(payload, dict) else [])
        if isinstance(entries, list)
        for entry in entries
        if isinstance(entry, dict)
    ]
    longest = max((m for m in minutes if isinstance(m, int | float)), default=0)
    return float(longest) * 60 if longest else None


def remaining_fraction_used(limit: str | None, remaining: str | None) -> float:
    """X: ``1 - remaining / limit`` from ``x-rate-limit-limit`` and ``-remaining``."""
    if not limit or not remaining or not limit.isdigit() or not remaining.isdigit():
        return 0.0
    total = int(limit)
    return 0.0 if total == 0 else 1.0 - int(remaining) / total


def slowdown_seconds(usage: float, threshold: float, max_delay: float) -> float:
    """No delay below ``threshold``; above it, grow linearly to ``max_delay`` at 100 %."""
    if usage < threshold or max_delay <= 0:
        return 0.0
    if threshold >= 1.0:
        return max_delay
    return min(max_delay, max_delay * (usage - threshold) / (1.0 - threshold))
