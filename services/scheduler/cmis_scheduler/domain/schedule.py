"""Which schedules an integration has and when each is next due.

Three schedules per active integration: metrics and campaigns repeat every period counted
from the Unix epoch (UTC); the full sync ("all") repeats from a local time of day in the
organization's time zone (default 02:00), so it follows daylight-saving changes. Each entry
is shifted by a stable per-integration offset (:mod:`.stagger`) so entries spread across
the period instead of all falling on the hour.

Organizations override periods in ``organizations.settings``::

    {"schedules": {"metrics_seconds": 1800, "campaigns_seconds": 0, "all_at": "03:30"}}

``0`` switches a schedule off; missing or invalid values fall back to the global defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from cmis_shared.events import DataType

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class ScheduleSpec:
    data_type: DataType
    period_seconds: int
    spread_seconds: int  # offsets fall in [0, spread_seconds)
    anchor: time | None = None  # local time of day the slots count from; None: the epoch


@dataclass(frozen=True)
class ScheduleDefaults:
    metrics_seconds: int = 3600
    campaigns_seconds: int = 4 * 3600
    all_seconds: int = 86400
    all_at: time = time(2, 0)
    all_spread_seconds: int = 3600


def _override(overrides: Mapping[str, Any], key: str, default: int) -> int:
    value = overrides.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return default
    return value


def _time_override(overrides: Mapping[str, Any], default: time) -> time:
    value = overrides.get("all_at")
    if not isinstance(value, str):
        return default
    try:
        return time.fromisoformat(value)
    except ValueError:
        return default


def schedule_specs(
    defaults: ScheduleDefaults, org_settings: Mapping[str, Any] | None
) -> dict[DataType, ScheduleSpec]:
    """The schedules an organization's integrations follow (switched-off ones omitted)."""
    raw = (org_settings or {}).get("schedules")
    overrides: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    metrics = _override(overrides, "metrics_seconds", defaults.metrics_seconds)
    campaigns = _override(overrides, "campaigns_seconds", defaults.campaigns_seconds)
    full = _override(overrides, "all_seconds", defaults.all_seconds)
    anchor = _time_override(overrides, defaults.all_at)
    specs = [
        ScheduleSpec(DataType.METRICS, metrics, metrics),
        ScheduleSpec(DataType.CAMPAIGNS, campaigns, campaigns),
        ScheduleSpec(DataType.ALL, full, min(full, defaults.all_spread_seconds), anchor),
    ]
    return {spec.data_type: spec for spec in specs if spec.period_seconds > 0}


def next_due_at(spec: ScheduleSpec, offset_seconds: int, zone: tzinfo, after: datetime) -> datetime:
    """The first slot of ``spec`` strictly after ``after``.

    Only the next slot is ever returned, however far ``after`` lies beyond the last due time:
    missed periods are skipped, never replayed one by one.
    """
    period = timedelta(seconds=spec.period_seconds)
    offset = timedelta(seconds=offset_seconds)
    if spec.anchor is None:
        elapsed = after - (EPOCH + offset)
        return EPOCH + offset + (elapsed // period + 1) * period
    local_day = after.astimezone(zone).date()
    candidates = (
        _anchored_slot_after(day, spec.anchor, zone, offset, period, after)
        for day in (local_day - DAY, local_day, local_day + DAY)
    )
    return min(slot for slot in candidates if slot is not None)


def _anchored_slot_after(
    day: date, anchor: time, zone: tzinfo, offset: timedelta, period: timedelta, after: datetime
) -> datetime | None:
    """The first slot after ``after`` among that local day's slots (anchor, anchor + period, ...
    while still within a day of the anchor)."""
    base = datetime.combine(day, anchor, tzinfo=zone).astimezone(UTC) + offset
    if base > after:
        return base
    steps = (after - base) // period + 1
    return base + steps * period if steps * period < DAY else None
