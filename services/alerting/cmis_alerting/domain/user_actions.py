"""A user's acknowledge, snooze or resolve of an alert (``AlertCommand``, published by
dashboard-api), and what it silences afterwards.

- Acknowledge: the alert stays open; later *updates* of it (one more occurrence, a lower
  severity) are stored but not announced. An escalation is still announced: a worse state
  is news the user has not seen.
- Snooze until a time: acknowledges it, and nothing about it but its resolution is announced
  until that time (facts before ``snoozed_until``); afterwards the acknowledgement rule holds.
- Resolve: closes it now, announced like any resolution; the next fact that the condition
  still holds raises a new alert.

A command about an alert that is no longer open, or a snooze that already ended, changes
nothing (the user's screen was stale).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from cmis_alerting.domain.lifecycle import Action, Decision, StoredAlert, unchanged
from cmis_alerting.domain.observations import AlertKey
from cmis_shared.events import AlertAction, AlertCommand

RESOLVED_BY_USER = "resolved by a user"


@dataclass(frozen=True)
class Acknowledgement:
    """Stored on the alert (``acknowledged_*``, ``snoozed_until``), with a history row."""

    alert_id: UUID
    action: AlertAction
    at: datetime
    by: str
    snoozed_until: datetime | None

    @property
    def history_action(self) -> str:
        return "snoozed" if self.action is AlertAction.SNOOZE else "acknowledged"


def user_change(
    key: AlertKey, stored: StoredAlert | None, command: AlertCommand
) -> Acknowledgement | Decision | None:
    """What ``command`` does to ``stored``: an acknowledgement, a resolving decision (stored
    and announced as the rules' own), or nothing."""
    if stored is None or not stored.is_open:
        return None
    at = command.occurred_at
    if command.action is AlertAction.RESOLVE:
        return replace(
            unchanged(stored, key, Action.RESOLVED),
            last_seen_at=max(stored.last_seen_at, at),
            resolved_at=at,
            reason=RESOLVED_BY_USER,
        )
    until = command.snoozed_until if command.action is AlertAction.SNOOZE else None
    if command.action is AlertAction.SNOOZE and (until is None or until <= at):
        return None
    return Acknowledgement(stored.alert_id, command.action, at, command.requested_by, until)


def silenced(stored: StoredAlert | None, decision: Decision) -> bool:
    """Whether the rules' ``decision`` about ``stored`` is stored without being announced."""
    if stored is None or not stored.is_open or decision.action is Action.RESOLVED:
        return False
    if stored.snoozed_until is not None and decision.last_seen_at < stored.snoozed_until:
        return True
    return stored.acknowledged_at is not None and decision.action is Action.UPDATED
