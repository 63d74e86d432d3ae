"""The alert lifecycle: given the stored alert for a key and a new observation, what changes.

- Nothing open and the condition holds: raise a new alert.
- Open with the same severity: only its last-seen time moves (no event).
- Open and the severity rises: escalate (an event); falls: update (an event, not escalated).
- Open and the observation is one more occurrence (sync failures): count it, keep the last
  error (an event).
- Open and the condition is clear: resolve (an event).

Ordering: events arrive at least once and in any order. An observation older than what the
alert already reflects (its last-seen time, or its resolution time) changes nothing, so an
old fact never overrides a newer state or reopens a resolved alert. A late, older occurrence
still counts on an open alert but does not replace its newer error.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from cmis_alerting.domain.observations import SEVERITY_RANK, AlertKey, Observation
from cmis_shared.events import Severity


class Action(enum.StrEnum):
    """What a decision does: ``alert_history.action``. The alert's own state is
    ``cmis_shared.statuses.AlertStatus`` (open/resolved), which the store writes."""

    RAISED = "raised"
    ESCALATED = "escalated"
    UPDATED = "updated"
    TOUCHED = "touched"  # last-seen only: no history, no event
    RESOLVED = "resolved"


@dataclass(frozen=True)
class StoredAlert:
    """The latest alert stored for a key: the open one, else the last resolved one."""

    alert_id: UUID
    is_open: bool
    severity: Severity
    message: str
    occurrences: int
    first_seen_at: datetime
    last_seen_at: datetime
    resolved_at: datetime | None = None
    details: dict[str, Any] = field(default_factory=dict)
    # A user's acknowledgement and snooze (domain/user_actions.py): they silence announcements.
    acknowledged_at: datetime | None = None
    snoozed_until: datetime | None = None


@dataclass(frozen=True)
class Decision:
    """The alert's state after the change; ``alert_id`` is None for a new alert."""

    action: Action
    key: AlertKey
    alert_id: UUID | None
    severity: Severity
    message: str
    occurrences: int
    details: dict[str, Any]
    last_seen_at: datetime
    resolved_at: datetime | None = None
    reason: str = ""
    # When the alert opened: announced with every change (the dashboard orders open alerts by
    # it). None only from a decision made without the stored alert at hand.
    first_seen_at: datetime | None = None


def decide(stored: StoredAlert | None, observation: Observation) -> Decision | None:
    """The change ``observation`` makes to the alert ``stored``; None when it makes none."""
    if observation.severity is None:
        return _clear(stored, observation)
    if stored is None or not stored.is_open:
        if stored is not None and stored.resolved_at and observation.fact_at < stored.resolved_at:
            return None  # older than the resolution: must not reopen
        return Decision(
            action=Action.RAISED,
            key=observation.key,
            alert_id=None,
            severity=observation.severity,
            message=observation.message,
            occurrences=1,
            details=observation.details,
            first_seen_at=observation.fact_at,
            last_seen_at=observation.fact_at,
        )
    return _change_open(stored, observation, observation.severity)


def unchanged(stored: StoredAlert, key: AlertKey, action: Action) -> Decision:
    """A decision that keeps the stored alert's content (callers replace what changes)."""
    return Decision(
        action=action,
        key=key,
        alert_id=stored.alert_id,
        severity=stored.severity,
        message=stored.message,
        occurrences=stored.occurrences,
        details=stored.details,
        first_seen_at=stored.first_seen_at,
        last_seen_at=stored.last_seen_at,
    )


def _clear(stored: StoredAlert | None, observation: Observation) -> Decision | None:
    if stored is None or not stored.is_open or observation.fact_at < stored.last_seen_at:
        return None
    return replace(
        unchanged(stored, observation.key, Action.RESOLVED),
        resolved_at=observation.fact_at,
        reason=observation.reason,
    )


def _change_open(
    stored: StoredAlert, observation: Observation, severity: Severity
) -> Decision | None:
    occurrences = stored.occurrences + (1 if observation.repeats else 0)
    if observation.fact_at < stored.last_seen_at:
        if not observation.repeats:
            return None
        # A late, older occurrence: counted, but the newer error and times stay.
        return replace(unchanged(stored, observation.key, Action.UPDATED), occurrences=occurrences)
    rank, stored_rank = SEVERITY_RANK[severity], SEVERITY_RANK[stored.severity]
    if rank == stored_rank and not observation.repeats:
        return replace(
            unchanged(stored, observation.key, Action.TOUCHED), last_seen_at=observation.fact_at
        )
    return Decision(
        action=Action.ESCALATED if rank > stored_rank else Action.UPDATED,
        key=observation.key,
        alert_id=stored.alert_id,
        severity=severity,
        message=observation.message,
        occurrences=occurrences,
        details=observation.details,
        first_seen_at=stored.first_seen_at,
        last_seen_at=observation.fact_at,
    )
