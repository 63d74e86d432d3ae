"""The schedule entries an integration should have, compared with the ones it has.

Idempotent: planning twice from the same facts changes nothing, so a redelivered
``integration.*`` event or a second replica reconciling at start-up is harmless. An entry
that already follows the right period and offset keeps its due time (a pending or overdue
run is not pushed back, a just-dispatched one not pulled forward); anything new or changed
starts at its next slot after ``now``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from uuid import UUID

from cmis_scheduler.domain.schedule import ScheduleSpec, next_due_at
from cmis_scheduler.domain.stagger import offset_seconds
from cmis_shared.events import DataType


@dataclass(frozen=True)
class IntegrationView:
    integration_id: UUID
    org_id: UUID
    platform: str
    active: bool
    zone: tzinfo
    specs: Mapping[DataType, ScheduleSpec]


@dataclass(frozen=True)
class EntryState:
    data_type: DataType
    period_seconds: int
    offset_seconds: int
    next_due_at: datetime
    enabled: bool


def plan_entries(
    integration: IntegrationView, existing: Mapping[DataType, EntryState], now: datetime
) -> list[EntryState]:
    """The entries to write (only those that differ from ``existing``)."""
    wanted: dict[DataType, EntryState] = {}
    if integration.active:
        for data_type, spec in integration.specs.items():
            offset = offset_seconds(spec, integration.integration_id)
            expected = next_due_at(spec, offset, integration.zone, now)
            current = existing.get(data_type)
            # Kept up to one slot past the next: a dispatch moves an entry at least half a
            # period on (dispatch.advance), which may skip its next slot, and pulling it back
            # would send it again within half a period. (A changed time zone therefore
            # takes effect after at most one more run at the old time.)
            keeps_slot = (
                current is not None
                and current.enabled
                and current.period_seconds == spec.period_seconds
                and current.offset_seconds == offset
                and current.next_due_at <= expected + timedelta(seconds=spec.period_seconds)
            )
            due = current.next_due_at if keeps_slot and current else expected
            wanted[data_type] = EntryState(data_type, spec.period_seconds, offset, due, True)
    for data_type, current in existing.items():
        if data_type not in wanted and current.enabled:
            wanted[data_type] = EntryState(
                data_type,
                current.period_seconds,
                current.offset_seconds,
                current.next_due_at,
                enabled=False,
            )
    return [state for data_type, state in wanted.items() if existing.get(data_type) != state]
