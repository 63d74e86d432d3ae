"""Catch-up after downtime: every missed entry goes out once, spread over a window instead
of all at the moment the scheduler comes back.

An entry overdue by more than the catch-up threshold when a scheduler starts was missed
while nobody was dispatching. It is re-planned to ``now + fraction * window`` where the
fraction is its stable stagger position and the window is the shorter of its period and
the configured catch-up spread. Once dispatched it rejoins its regular slots
(:func:`cmis_scheduler.domain.dispatch.advance`), so it is never replayed per missed period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from cmis_scheduler.domain.stagger import offset_fraction
from cmis_shared.events import DataType


@dataclass(frozen=True)
class MissedEntry:
    """A schedule entry, by its unique key (integration, data type), found overdue."""

    integration_id: UUID
    data_type: DataType
    period_seconds: int


def is_missed(next_due_at: datetime, now: datetime, threshold: timedelta) -> bool:
    return next_due_at < now - threshold


def catch_up_at(
    now: datetime, fraction: float, period_seconds: int, window_seconds: int
) -> datetime:
    if not 0.0 <= fraction < 1.0:
        raise ValueError("fraction must be in [0, 1)")
    return now + timedelta(seconds=fraction * min(period_seconds, window_seconds))


def replanned_due(entry: MissedEntry, now: datetime, window_seconds: int) -> datetime:
    """Where a missed entry goes: its stable stagger position inside the catch-up window."""
    fraction = offset_fraction(entry.integration_id, entry.data_type)
    return catch_up_at(now, fraction, entry.period_seconds, window_seconds)
