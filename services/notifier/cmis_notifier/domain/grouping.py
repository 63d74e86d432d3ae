"""Grouping in the manner of Alertmanager, per channel and alert type:

- a new group waits ``group_wait`` after its first alert, so alerts arriving together (ten
  budget alerts from one sync) leave as one message;
- later changes to a group wait until ``group_interval`` after its last message;
- a group whose alerts keep firing unchanged is sent again every ``repeat_interval``;
- resolutions are not held by the group interval (Alertmanager's long-standing complaint):
  they leave ``resolve_wait`` after they arrive, which only gathers resolutions that come
  together;
- in quiet hours only critical alerts leave; the others stay pending until the hours end;
- silenced alerts are left out (and stay pending: an expired silence lets them out).

:func:`plan_flush` is the one decision; the store applies it in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from cmis_shared.events import AlertType, Severity


class NotificationKind(StrEnum):
    FIRING = "firing"  # new or changed alerts (with the group's other firing ones)
    RESOLVED = "resolved"  # only resolutions
    REPEAT = "repeat"  # nothing changed; still firing after the repeat interval
    TEST = "test"  # a sample asked for through the API


@dataclass(frozen=True)
class GroupPolicy:
    group_wait: timedelta
    group_interval: timedelta
    repeat_interval: timedelta
    resolve_wait: timedelta


@dataclass(frozen=True)
class BufferedAlert:
    alert_id: UUID
    alert_type: AlertType
    subject_id: UUID
    severity: Severity
    firing: bool
    pending: bool  # changed since last notified
    changed_at: datetime


@dataclass(frozen=True)
class Group:
    created_at: datetime  # its first alert arrived (group_wait counts from here)
    last_flush_at: datetime | None


@dataclass(frozen=True)
class Flush:
    kind: NotificationKind
    firing: tuple[BufferedAlert, ...]  # sent as firing (new ones and the group's others)
    resolved: tuple[BufferedAlert, ...]  # sent as resolved (removed from the buffer after)
    restarts_interval: bool  # the firing part went out: group_interval counts from now

    @property
    def alerts(self) -> tuple[BufferedAlert, ...]:
        return (*self.firing, *self.resolved)


Excluded = Callable[[BufferedAlert], bool]


def plan_flush(
    group: Group,
    alerts: Sequence[BufferedAlert],
    policy: GroupPolicy,
    now: datetime,
    *,
    quiet: bool = False,
    silenced: Excluded = lambda _: False,
) -> Flush | None:
    """What of the group leaves now, as one message; None when nothing is due."""
    live = [a for a in alerts if not silenced(a)]
    if quiet:
        live = [a for a in live if a.severity is Severity.CRITICAL]
    firing = [a for a in live if a.firing]
    changed = [a for a in firing if a.pending]
    resolved = [a for a in live if not a.firing and a.pending]

    firing_due = bool(changed) and now >= _next_group_send(group, policy)
    repeat_due = (
        not changed
        and bool(firing)
        and group.last_flush_at is not None
        and now >= group.last_flush_at + policy.repeat_interval
    )
    resolved_due = (
        bool(resolved) and now >= min(a.changed_at for a in resolved) + policy.resolve_wait
    )
    sent_firing = tuple(_newest_first(firing)) if firing_due or repeat_due else ()
    sent_resolved = tuple(_newest_first(resolved)) if resolved_due else ()
    if not sent_firing and not sent_resolved:
        return None
    if firing_due:
        kind = NotificationKind.FIRING
    elif repeat_due:
        kind = NotificationKind.REPEAT
    else:
        kind = NotificationKind.RESOLVED
    return Flush(kind, sent_firing, sent_resolved, restarts_interval=bool(sent_firing))


def _next_group_send(group: Group, policy: GroupPolicy) -> datetime:
    if group.last_flush_at is None:
        return group.created_at + policy.group_wait
    return group.last_flush_at + policy.group_interval


def _newest_first(alerts: Sequence[BufferedAlert]) -> list[BufferedAlert]:
    # Critical first, then the newest: a long message is read from the top.
    return sorted(
        alerts, key=lambda a: (a.severity is not Severity.CRITICAL, -a.changed_at.timestamp())
    )
