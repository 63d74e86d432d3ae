"""What the handlers need from outside, as Protocols: the grouping buffer and the delivery
queue (PostgreSQL, one unit of work each), the senders (HTTP, SMTP) and the delivery
figures (Prometheus). Adapters implement
them; unit tests use in-memory fakes."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

from cmis_notifier.domain.delivery import AttemptResult
from cmis_notifier.domain.grouping import Flush
from cmis_notifier.domain.records import (
    ClaimedNotification,
    DueGroup,
    FinishedAttempt,
    Recorded,
    RoutedChannel,
)
from cmis_shared.events import AlertRaised, AlertResolved, Event
from cmis_shared.ports import InboxOutboxUnitOfWork


class BufferRepository(Protocol):
    async def routed_channels(self, org_id: UUID) -> list[RoutedChannel]:
        """The enabled channels of the organization (the operators' ones for system alerts)."""
        ...

    async def buffer_firing(self, channel_id: UUID, event: AlertRaised, now: datetime) -> None: ...

    async def buffer_resolved(self, event: AlertResolved, now: datetime) -> int:
        """Mark notified copies resolved (pending); drop never-notified ones. Returns the
        copies that will carry a resolved message."""
        ...

    async def lock_due_groups(self, limit: int, repeat_before: datetime) -> list[DueGroup]:
        """Groups of enabled channels that may have something to send (a pending alert, or
        a last message before ``repeat_before``), locked (SKIP LOCKED) until commit."""
        ...

    async def apply_flush(
        self, group: DueGroup, flush: Flush | None, body: dict[str, Any] | None, now: datetime
    ) -> None:
        """Store the notification (when ``body``), mark what was sent, drop empty groups."""
        ...


class NotifierUnitOfWork(InboxOutboxUnitOfWork, Protocol):
    @property
    def buffer(self) -> BufferRepository: ...


UnitOfWorkFactory = Callable[[], NotifierUnitOfWork]


class DeliveryQueue(Protocol):
    async def claim(
        self, limit: int, busy_channels: Collection[UUID], lease: timedelta
    ) -> list[ClaimedNotification]:
        """Due notifications of enabled channels not in ``busy_channels``, at most one per
        channel, marked ``sending`` under a new lease (committed before any send)."""
        ...

    async def prune(self, before: datetime, limit: int) -> int:
        """Delete at most ``limit`` finished notifications created before ``before``."""
        ...

    async def record(
        self, attempt: FinishedAttempt, announce: Callable[[Recorded], Sequence[Event]]
    ) -> Recorded | None:
        """Store the attempt and the next state if the lease is still ours (None if not);
        count the channel's failures and disable it past the queue's threshold (the retry
        policy's ``disable_after_failures``); publish what ``announce`` returns in the same
        transaction."""
        ...


class DeliveryMetrics(Protocol):
    """The delivery loop's figures (Prometheus in production)."""

    def attempt_started(self) -> None: ...
    def attempt_ended(self, channel_kind: str, seconds: float | None) -> None:
        """An attempt is no longer in flight; ``seconds``: how long it took, when it ran."""
        ...

    def sent(self, channel_kind: str, kind: str) -> None: ...
    def failed(self, channel_kind: str, reason: str) -> None: ...
    def given_up(self, channel_kind: str) -> None: ...
    def channel_disabled(self) -> None: ...


class Sender(Protocol):
    async def send(
        self, channel_kind: str, target: dict[str, Any], body: dict[str, Any]
    ) -> AttemptResult:
        """One attempt of ``body`` (the webhook schema) to the channel's decrypted target;
        never raises for the receiver's faults (they are the result)."""
        ...
