"""Hand-written fakes of the notifier's ports: the grouping buffer behind an in-memory unit of
work (state copied on enter, swapped in on commit, as tests/unit/scheduler/fake_uow.py), the
delivery queue with its leases, and a sender whose answers the test scripts."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Self
from uuid import UUID, uuid4

from cmis_notifier.domain.announce import SYSTEM_ORG_ID
from cmis_notifier.domain.delivery import AttemptResult, DeliveryState
from cmis_notifier.domain.grouping import BufferedAlert, Flush, Group
from cmis_notifier.domain.messages import alert_item
from cmis_notifier.domain.records import (
    ClaimedNotification,
    DueGroup,
    FinishedAttempt,
    Recorded,
    RoutedChannel,
)
from cmis_notifier.domain.routing import Route
from cmis_notifier.domain.silences import Silence
from cmis_shared.events import AlertRaised, AlertResolved, AlertType, Event, Severity
from tests.support.fake_unit_of_work import FakeInboxOutbox

# --- the grouping buffer ------------------------------------------------------------------


@dataclass(frozen=True)
class FakeChannel:
    org_id: UUID | None  # None: the operators' channel (system alerts)
    route: Route = field(default_factory=Route)
    enabled: bool = True


@dataclass
class FakeBufferState:
    channels: dict[UUID, FakeChannel] = field(default_factory=dict)
    timezones: dict[UUID, str] = field(default_factory=dict)  # by organization
    silences: list[tuple[UUID, Silence]] = field(default_factory=list)  # (org, silence)
    # (channel, alert) -> the buffered copy and its payload; notified: went out as firing.
    alerts: dict[tuple[UUID, UUID], tuple[BufferedAlert, dict[str, Any]]] = field(
        default_factory=dict
    )
    notified: set[tuple[UUID, UUID]] = field(default_factory=set)
    groups: dict[tuple[UUID, str], Group] = field(default_factory=dict)
    notifications: list[dict[str, Any]] = field(default_factory=list)  # bodies stored
    lock_calls: list[tuple[int, datetime]] = field(default_factory=list)  # (limit, repeat_before)
    processed: set[tuple[str, UUID]] = field(default_factory=set)
    published: list[Event] = field(default_factory=list)


class FakeBuffer:
    """The rules of adapters/buffer.py, in memory."""

    def __init__(self, state: FakeBufferState) -> None:
        self.s = state

    async def routed_channels(self, org_id: UUID) -> list[RoutedChannel]:
        owner = None if org_id == SYSTEM_ORG_ID else org_id
        return [
            RoutedChannel(channel_id, channel.route)
            for channel_id, channel in self.s.channels.items()
            if channel.org_id == owner and channel.enabled
        ]

    async def buffer_firing(self, channel_id: UUID, event: AlertRaised, now: datetime) -> None:
        key = (channel_id, event.alert_id)
        stored = self.s.alerts.get(key)
        news = (
            stored is None
            or key not in self.s.notified
            or stored[0].pending
            or not stored[0].firing
            or stored[0].severity != event.severity
        )
        alert = BufferedAlert(
            event.alert_id, event.alert_type, event.subject_id, event.severity, True,
            pending=news, changed_at=now if news or stored is None else stored[0].changed_at,
        )  # fmt: skip
        self.s.alerts[key] = (alert, alert_item(event.model_dump(mode="json"), "firing"))
        self.s.groups.setdefault((channel_id, str(event.alert_type)), Group(now, None))

    async def buffer_resolved(self, event: AlertResolved, now: datetime) -> int:
        copies = 0
        for key, (alert, payload) in list(self.s.alerts.items()):
            if key[1] != event.alert_id:
                continue
            if key not in self.s.notified:
                del self.s.alerts[key]
                self._drop_if_empty(key[0], str(alert.alert_type))
                continue
            resolved = {**event.model_dump(mode="json"), "occurrences": payload["occurrences"]}
            self.s.alerts[key] = (
                replace(alert, firing=False, pending=True, changed_at=now),
                alert_item(resolved, "resolved"),
            )
            copies += 1
        return copies

    async def lock_due_groups(self, limit: int, repeat_before: datetime) -> list[DueGroup]:
        self.s.lock_calls.append((limit, repeat_before))
        due = []
        for (channel_id, group_key), group in sorted(
            self.s.groups.items(), key=lambda item: item[1].created_at
        ):
            channel = self.s.channels[channel_id]
            alerts = {
                a.alert_id: (a, payload)
                for (c, _), (a, payload) in self.s.alerts.items()
                if c == channel_id and str(a.alert_type) == group_key
            }
            pending = any(a.pending for a, _ in alerts.values())
            repeat = group.last_flush_at is not None and group.last_flush_at <= repeat_before
            if not channel.enabled or not (pending or repeat):
                continue
            org = channel.org_id
            due.append(
                DueGroup(
                    channel_id, org, group_key, group, channel.route,
                    self.s.timezones.get(org, "UTC") if org else "UTC",
                    [a for a, _ in alerts.values()],
                    {alert_id: payload for alert_id, (_, payload) in alerts.items()},
                    [s for o, s in self.s.silences if o == org],
                )
            )  # fmt: skip
        return due[:limit]

    async def apply_flush(
        self, group: DueGroup, flush: Flush | None, body: dict[str, Any] | None, now: datetime
    ) -> None:
        channel_id, group_key = group.channel_id, group.group_key
        if flush is not None and body is not None:
            self.s.notifications.append(body)
            for alert in flush.firing:
                key = (channel_id, alert.alert_id)
                stored, payload = self.s.alerts[key]
                self.s.alerts[key] = (replace(stored, pending=False), payload)
                self.s.notified.add(key)
            for alert in flush.resolved:
                self.s.alerts.pop((channel_id, alert.alert_id), None)
                self.s.notified.discard((channel_id, alert.alert_id))
            if flush.restarts_interval:
                key = (channel_id, group_key)
                self.s.groups[key] = replace(self.s.groups[key], last_flush_at=now)
        self._drop_if_empty(channel_id, group_key)

    def _drop_if_empty(self, channel_id: UUID, group_key: str) -> None:
        if not any(
            c == channel_id and str(a.alert_type) == group_key
            for (c, _), (a, _) in self.s.alerts.items()
        ):
            self.s.groups.pop((channel_id, group_key), None)


class FakeUnitOfWork(FakeInboxOutbox):
    def __init__(self, store: FakeBufferStore) -> None:
        self._store = store

    async def __aenter__(self) -> Self:
        self._state = copy.deepcopy(self._store.state)
        self.buffer = FakeBuffer(self._state)
        self._outbox: list[Event] = []
        self._store.opened += 1
        return self


class FakeBufferStore:
    def __init__(self) -> None:
        self.state = FakeBufferState()
        self.opened = 0

    def uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self)

    def channel(self, org_id: UUID | None, route: Route | None = None) -> UUID:
        channel_id = uuid4()
        self.state.channels[channel_id] = FakeChannel(org_id, route or Route())
        return channel_id

    def buffered(self, channel_id: UUID) -> list[BufferedAlert]:
        return [a for (c, _), (a, _) in self.state.alerts.items() if c == channel_id]


# --- the delivery queue -------------------------------------------------------------------


@dataclass
class QueuedChannel:
    kind: str
    target_encrypted: bytes
    org_id: UUID | None
    name: str = "Ops"
    enabled: bool = True
    failures: int = 0


@dataclass
class QueuedNotification:
    id: UUID
    channel_id: UUID
    kind: str
    payload: dict[str, Any]
    created_at: datetime
    state: DeliveryState = DeliveryState.PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None
    lease_token: UUID | None = None
    results: list[AttemptResult] = field(default_factory=list)


class FakeDeliveryQueue:
    """Leases, attempts and the channel's failure count, as adapters/deliveries.py keeps them.
    ``record_error``: raised by the next ``record`` (an outage while recording)."""

    def __init__(self, clock: Callable[[], datetime], disable_after: int) -> None:
        self._clock = clock
        self._disable_after = disable_after
        self.channels: dict[UUID, QueuedChannel] = {}
        self.notifications: dict[UUID, QueuedNotification] = {}
        self.published: list[Event] = []
        self.claims: list[tuple[int, frozenset[UUID], timedelta]] = []
        self.record_error: Exception | None = None

    def add(self, channel_id: UUID, payload: dict[str, Any], kind: str = "firing") -> UUID:
        notification = QueuedNotification(uuid4(), channel_id, kind, payload, self._clock())
        self.notifications[notification.id] = notification
        return notification.id

    async def claim(
        self, limit: int, busy_channels: Collection[UUID], lease: timedelta
    ) -> list[ClaimedNotification]:
        self.claims.append((limit, frozenset(busy_channels), lease))
        now, taken = self._clock(), set(busy_channels)
        claimed: list[ClaimedNotification] = []
        for n in sorted(self.notifications.values(), key=lambda n: n.created_at):
            channel = self.channels[n.channel_id]
            due = n.next_attempt_at is None or n.next_attempt_at <= now
            if n.state != DeliveryState.PENDING or not due or not channel.enabled:
                continue
            if n.channel_id in taken or len(claimed) == limit:
                continue
            taken.add(n.channel_id)
            n.state, n.attempts, n.lease_token = DeliveryState.SENDING, n.attempts + 1, uuid4()
            claimed.append(
                ClaimedNotification(
                    n.id, n.channel_id, channel.kind, channel.target_encrypted, n.kind,
                    n.payload, n.attempts, n.lease_token, n.created_at, channel.org_id,
                )
            )  # fmt: skip
        return claimed

    async def prune(self, before: datetime, limit: int) -> int:
        finished = (DeliveryState.DELIVERED, DeliveryState.FAILED)
        old = [
            n.id
            for n in sorted(self.notifications.values(), key=lambda n: n.created_at)
            if n.state in finished and n.created_at < before
        ][:limit]
        for notification_id in old:
            del self.notifications[notification_id]
        return len(old)

    async def record(
        self, attempt: FinishedAttempt, announce: Callable[[Recorded], Sequence[Event]]
    ) -> Recorded | None:
        if self.record_error is not None:
            error, self.record_error = self.record_error, None
            raise error
        claimed, result, step = attempt.claimed, attempt.result, attempt.step
        n = self.notifications[claimed.notification_id]
        if n.lease_token != claimed.lease_token:
            return None
        n.results.append(result)
        n.state, n.next_attempt_at, n.lease_token = step.state, step.next_attempt_at, None
        channel = self.channels[n.channel_id]
        channel.failures = 0 if result.ok else channel.failures + 1
        disabled = channel.enabled and channel.failures >= self._disable_after
        channel.enabled = channel.enabled and not disabled
        recorded = Recorded(
            step.state, disabled, channel.failures, channel.org_id, channel.name, result.reason
        )
        self.published.extend(announce(recorded))
        return recorded

    def steal_lease(self, notification_id: UUID) -> None:
        """Another notifier claimed it after this one's lease expired."""
        self.notifications[notification_id].lease_token = uuid4()


class FakeSender:
    """Answers each send with the next scripted result for the channel's kind (``ok`` when
    none is left). ``gate``: sends wait until it is set (an attempt kept in flight)."""

    def __init__(self) -> None:
        self.script: dict[str, list[AttemptResult]] = {}
        self.sent: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
        self.gate: asyncio.Event | None = None

    async def send(
        self, channel_kind: str, target: dict[str, Any], body: dict[str, Any]
    ) -> AttemptResult:
        self.sent.append((channel_kind, target, body))
        if self.gate is not None:
            await self.gate.wait()
        results = self.script.get(channel_kind) or []
        return results.pop(0) if results else AttemptResult(True, 12, response_code=200)


def raised(org_id: UUID, alert_type: AlertType = AlertType.BUDGET, **changes: Any) -> AlertRaised:
    fields: dict[str, Any] = {
        "org_id": org_id, "alert_id": uuid4(), "alert_type": alert_type,
        "subject_type": "campaign", "subject_id": uuid4(), "severity": Severity.WARNING,
        "message": "Campaign Spring spent 92 % of its budget",
    }  # fmt: skip
    return AlertRaised(**{**fields, **changes})


def resolved_of(event: AlertRaised) -> AlertResolved:
    return AlertResolved(
        org_id=event.org_id, alert_id=event.alert_id, alert_type=event.alert_type,
        subject_type=event.subject_type, subject_id=event.subject_id, severity=event.severity,
        message="back under budget", reason="condition cleared",
    )  # fmt: skip
