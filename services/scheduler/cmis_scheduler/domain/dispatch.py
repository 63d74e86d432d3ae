"""What to do with the due entries a dispatcher has claimed: which go out, which are held
back because their token is dead, and when each is due next."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from uuid import UUID

from cmis_scheduler.domain.schedule import ScheduleSpec, next_due_at
from cmis_scheduler.domain.stagger import offset_seconds
from cmis_shared.events import DataType, Platform

TOKEN_EXPIRED = "token_expired"


@dataclass(frozen=True)
class DueEntry:
    entry_id: UUID
    org_id: UUID
    integration_id: UUID
    platform: Platform
    data_type: DataType
    next_due_at: datetime
    spec: ScheduleSpec | None  # the org's current schedule; None: switched off meanwhile
    zone: tzinfo
    token_expires_at: datetime | None
    refreshable: bool
    status_reason: str | None


@dataclass(frozen=True)
class Advance:
    """An entry moved to its next slot (with the period and offset it now follows)."""

    entry: DueEntry
    next_due_at: datetime
    period_seconds: int
    offset_seconds: int


@dataclass(frozen=True)
class Triage:
    dispatchable: list[DueEntry]  # still in claim order (earliest deadline first)
    token_blocked: list[Advance]  # skipped this period, not dispatched
    to_report: list[DueEntry]  # one per integration whose dead token is not reported yet
    switched_off: list[DueEntry]


def token_unusable(expires_at: datetime | None, refreshable: bool, now: datetime) -> bool:
    """Expired and nothing can renew it: a sync would only fail on the platform."""
    return expires_at is not None and expires_at <= now and not refreshable


def advance(entry: DueEntry, now: datetime) -> Advance:
    """The entry's next slot at least half a period after ``now``.

    Counted from the dispatch time, not the old due time, so a late or long-missed entry
    goes out once and then rejoins its regular slots; and a dispatch never lands within
    half a period of the previous one (a late or catch-up dispatch covers the slot nearest
    to it instead of being followed by it moments later).
    """
    assert entry.spec is not None
    offset = offset_seconds(entry.spec, entry.integration_id)
    half_period = timedelta(seconds=entry.spec.period_seconds / 2)
    due = next_due_at(entry.spec, offset, entry.zone, now + half_period)
    return Advance(entry, due, entry.spec.period_seconds, offset)


def triage(entries: Sequence[DueEntry], now: datetime) -> Triage:
    dispatchable: list[DueEntry] = []
    blocked: list[Advance] = []
    to_report: dict[UUID, DueEntry] = {}
    switched_off: list[DueEntry] = []
    for entry in entries:
        if entry.spec is None:
            switched_off.append(entry)
        elif token_unusable(entry.token_expires_at, entry.refreshable, now):
            blocked.append(advance(entry, now))
            if entry.status_reason != TOKEN_EXPIRED:
                to_report.setdefault(entry.integration_id, entry)
        else:
            dispatchable.append(entry)
    return Triage(dispatchable, blocked, list(to_report.values()), switched_off)
