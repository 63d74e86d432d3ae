"""The edges the handlers talk to, as Protocols only: SQL and Redis adapters implement them,
unit tests fake them (tests/unit/scheduler/fakes.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from cmis_scheduler.domain.backfill import BackfillCounts, PendingWindow, Progress, WindowOfRun
from cmis_scheduler.domain.catch_up import MissedEntry
from cmis_scheduler.domain.dispatch import Advance, DueEntry
from cmis_scheduler.domain.entries import EntryState, IntegrationView
from cmis_scheduler.domain.exchange_rates import FeedRates, PublishedRate
from cmis_scheduler.domain.freshness import StaleCount
from cmis_scheduler.domain.integrations import IntegrationRecord
from cmis_scheduler.domain.retention import Cutoffs
from cmis_scheduler.domain.retry import DueRetry, RetryDecision
from cmis_scheduler.domain.stuck import ActiveRun
from cmis_shared.events import DataType, IntegrationStatus, Platform, SyncFailed
from cmis_shared.ports import InboxOutboxUnitOfWork
from cmis_shared.statuses import WindowStatus


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


class Freshness(Protocol):
    async def stale_counts(self, now: datetime) -> list[StaleCount]:
        """Active integrations without a success in twice their period, per platform and
        data type (only the pairs that have some)."""
        ...


class StaleGauge(Protocol):
    def set_stale(self, values: Mapping[tuple[Platform, DataType], int]) -> None: ...


class ExchangeRates(Protocol):
    async def newest_date(self) -> date | None:
        """The newest publication day stored (None: no rate yet)."""
        ...

    async def store(self, rates: Sequence[PublishedRate], source: str, at: datetime) -> int:
        """Insert or correct the rates; how many."""
        ...


class RateFeed(Protocol):
    """A euro reference rates provider; :class:`RateFeedError` when it cannot be read."""

    async def daily(self) -> FeedRates: ...

    async def history(self) -> FeedRates: ...


class Backfills(Protocol):
    """Backfill windows' outcomes and their backfills' counts."""

    async def of_run(self, run_id: UUID) -> WindowOfRun | None:
        """The window ``run_id`` was sent for, locked with its backfill; None if none."""
        ...

    async def cancel_pending(
        self, integration_id: UUID, now: datetime
    ) -> list[tuple[BackfillCounts, int]]:
        """Cancel an integration's pending windows: per backfill touched, its counts (before)
        and how many windows were cancelled."""
        ...

    async def finish_window(
        self, window_id: UUID, status: WindowStatus, rows: int, now: datetime
    ) -> None: ...

    async def retry_window(self, window_id: UUID, run_id: UUID, at: datetime) -> None:
        """Back to pending until ``at``; the failed run is closed (its retry is the window's)."""
        ...

    async def save(self, backfill_id: UUID, progress: Progress, now: datetime) -> None: ...


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
    @property
    def freshness(self) -> Freshness: ...
    @property
    def exchange_rates(self) -> ExchangeRates: ...

    @property
    def backfills(self) -> Backfills: ...


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


class BackfillBatch(Protocol):
    """One transaction over claimed pending backfill windows of one platform."""

    async def claim_pending(
        self, platform: Platform, now: datetime, per_integration: int, limit: int
    ) -> list[PendingWindow]: ...

    async def in_flight(self, integration_ids: Sequence[UUID]) -> dict[UUID, int]:
        """Dispatched windows per integration (sent, outcome not yet back)."""
        ...

    async def dispatch(self, windows: Sequence[PendingWindow], now: datetime) -> int: ...

    async def commit(self) -> None: ...


BackfillBatches = Callable[[], AbstractAsyncContextManager[BackfillBatch]]
