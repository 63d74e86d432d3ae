"""The edges the handlers talk to, as Protocols only: SQL and Redis adapters implement them,
unit tests fake them (tests/unit/scheduler/fakes.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from cmis_scheduler.domain.catch_up import MissedEntry
from cmis_scheduler.domain.dispatch import Advance, DueEntry
from cmis_scheduler.domain.entries import EntryState, IntegrationView
from cmis_scheduler.domain.integrations import IntegrationRecord
from cmis_scheduler.domain.retention import Cutoffs
from cmis_scheduler.domain.retry import DueRetry, RetryDecision
from cmis_scheduler.domain.stuck import ActiveRun
from cmis_shared.events import DataType, IntegrationStatus, Platform, SyncFailed
from cmis_shared.ports import InboxOutboxUnitOfWork


class RateLimiter(Protocol):
    """A per-platform budget shared by every scheduler replica."""

    async def available(self, platform: Platform, wanted: int) -> int: ...

    async def take(self, platform: Platform, wanted: int) -> int: ...


class Integrations(Protocol):
    """The ``integrations`` columns the scheduler changes (health, token report)."""

    async def record_final_failure(
        self, integration_id: UUID, at: datetime
    ) -> IntegrationRecord | None: ...
    async def reset_failures(
        self, integration_id: UUID, at: datetime
    ) -> IntegrationRecord | None: ...
    async def set_status(
        self, integration_id: UUID, status: IntegrationStatus, reason: str | None
    ) -> IntegrationRecord: ...
    async def clear_token_expired(self, integration_id: UUID, now: datetime) -> None: ...


class Entries(Protocol):
    """Schedule entries and the integrations they are planned from."""

    async def views(self, integration_ids: Sequence[UUID]) -> list[IntegrationView]: ...
    async def views_after(self, after: UUID | None, limit: int) -> list[IntegrationView]: ...
    async def integration_ids_of_org(self, org_id: UUID) -> list[UUID]: ...
    async def existing(
        self, integration_ids: Sequence[UUID]
    ) -> dict[UUID, dict[DataType, EntryState]]: ...
    async def write(self, planned: Sequence[tuple[IntegrationView, EntryState]]) -> None: ...
    async def missed(self, before: datetime, limit: int) -> list[MissedEntry]:
        """Enabled entries due before ``before``, oldest first, locked against other
        replicas (skipping rows another replica holds) until the transaction ends."""
        ...

    async def move(self, moves: Sequence[tuple[MissedEntry, datetime]]) -> None:
        """Set each entry's next due time."""
        ...


class Retries(Protocol):
    async def add(self, failed: SyncFailed, due_at: datetime) -> None:
        """The next attempt of a failed run (idempotent per run and attempt)."""
        ...


class Runs(Protocol):
    async def active_before(self, before: datetime, limit: int) -> list[ActiveRun]:
        """Queued or running runs whose current state began before ``before``."""
        ...

    async def time_out(
        self, run: ActiveRun, now: datetime, message: str, decision: RetryDecision
    ) -> bool:
        """Finish the run's current attempt as a timeout, unless it is finished already or
        the run moved on; True when this call finished it."""
        ...


class Retention(Protocol):
    async def purge(self, cutoffs: Cutoffs, batch_size: int) -> dict[str, int]:
        """Delete one bounded batch per table; rows deleted by table."""
        ...

    async def ensure_metric_partitions(self, first: date, last: date) -> int:
        """Create the missing monthly ``daily_metrics`` partitions from ``first``'s month to
        ``last``'s; the number created."""
        ...


class SchedulerUnitOfWork(InboxOutboxUnitOfWork, Protocol):
    """One transaction: the repositories, the inbox claim and the outbox."""

    # Read-only properties, so an adapter's concrete repositories satisfy them.
    @property
    def integrations(self) -> Integrations: ...
    @property
    def entries(self) -> Entries: ...
    @property
    def retries(self) -> Retries: ...
    @property
    def runs(self) -> Runs: ...
    @property
    def retention(self) -> Retention: ...


UnitsOfWork = Callable[[], SchedulerUnitOfWork]


class ScheduleBatch(Protocol):
    """One transaction over claimed schedule entries: nothing is visible until commit, and
    the claimed rows stay locked against other replicas until then."""

    async def claim_due(self, platform: Platform, now: datetime, limit: int) -> list[DueEntry]: ...

    async def dispatch(self, advances: Sequence[Advance], now: datetime) -> int: ...

    async def advance(self, advances: Sequence[Advance]) -> None: ...

    async def report_token_expired(self, entries: Sequence[DueEntry], now: datetime) -> None: ...

    async def switch_off(self, entries: Sequence[DueEntry]) -> None: ...

    async def commit(self) -> None: ...


ScheduleBatches = Callable[[], AbstractAsyncContextManager[ScheduleBatch]]


class RetryBatch(Protocol):
    """One transaction over claimed due retry entries (locked against other replicas)."""

    async def claim_due(self, now: datetime, limit: int) -> list[DueRetry]: ...

    async def requeue(self, retry: DueRetry, now: datetime) -> bool:
        """Run back to queued plus the retry's request; False when another run of the same
        integration and data type is active."""
        ...

    async def mark_stale(self, retry: DueRetry, now: datetime) -> None: ...

    async def defer(self, retry: DueRetry, until: datetime) -> None: ...

    async def commit(self) -> None: ...


RetryBatches = Callable[[], AbstractAsyncContextManager[RetryBatch]]
