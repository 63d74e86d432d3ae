"""An in-memory scheduler unit of work: state copied on enter and swapped in on commit, so a
handler that does not commit really changes nothing (as tests/unit/sync_worker/fakes.py)."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Self
from uuid import UUID

from cmis_scheduler.domain.catch_up import MissedEntry
from cmis_scheduler.domain.entries import EntryState, IntegrationView
from cmis_scheduler.domain.exchange_rates import PublishedRate
from cmis_scheduler.domain.integrations import IntegrationRecord
from cmis_scheduler.domain.retention import Cutoffs
from cmis_scheduler.domain.retry import RetryDecision
from cmis_scheduler.domain.stuck import ActiveRun
from cmis_shared.events import DataType, Event, IntegrationStatus, SyncFailed
from cmis_shared.statuses import RunStatus
from tests.support.fake_unit_of_work import FakeInboxOutbox
from tests.unit.scheduler.fake_backfills import Book, FakeBackfills


@dataclass
class FakeState:
    integrations: dict[UUID, IntegrationRecord] = field(default_factory=dict)
    last_synced_at: dict[UUID, datetime] = field(default_factory=dict)
    views: dict[UUID, IntegrationView] = field(default_factory=dict)
    entries: dict[UUID, dict[DataType, EntryState]] = field(default_factory=dict)
    retries: dict[tuple[UUID, int], datetime] = field(default_factory=dict)
    runs: dict[UUID, ActiveRun] = field(default_factory=dict)
    run_status: dict[UUID, RunStatus] = field(default_factory=dict)
    finished_attempts: dict[tuple[UUID, int], str] = field(default_factory=dict)  # -> who
    aged: dict[str, list[datetime]] = field(default_factory=dict)  # table -> row timestamps
    rates: dict[tuple[str, date], tuple[Decimal, str]] = field(default_factory=dict)
    metric_partitions: set[date] = field(default_factory=set)  # months whose partition exists
    processed: set[tuple[str, UUID]] = field(default_factory=set)
    published: list[Event] = field(default_factory=list)
    book: Book = field(default_factory=Book)


class _Repos:
    def __init__(self, state: FakeState) -> None:
        self.s = state

    # integrations
    async def record_final_failure(self, integration_id: UUID, at: datetime) -> Any:
        row = self.s.integrations.get(integration_id)
        synced = self.s.last_synced_at.get(integration_id)
        if row is None or (synced is not None and synced >= at):
            return None
        return self._set(
            row, consecutive_failures=row.consecutive_failures + 1,
            first_failure_at=row.first_failure_at or at,
        )  # fmt: skip

    async def reset_failures(self, integration_id: UUID, at: datetime) -> Any:
        row = self.s.integrations.get(integration_id)
        if row is None or (row.first_failure_at is not None and row.first_failure_at > at):
            return None
        return self._set(row, consecutive_failures=0, first_failure_at=None)

    async def set_status(
        self, integration_id: UUID, status: IntegrationStatus, reason: str | None
    ) -> IntegrationRecord:
        return self._set(self.s.integrations[integration_id], status=status, status_reason=reason)

    async def clear_token_expired(self, integration_id: UUID, now: datetime) -> None:
        row = self.s.integrations.get(integration_id)
        if row is not None and row.status_reason == "token_expired":
            self._set(row, status_reason=None)

    def _set(self, row: IntegrationRecord, **changes: Any) -> IntegrationRecord:
        self.s.integrations[row.id] = dataclasses.replace(row, **changes)
        return self.s.integrations[row.id]

    # entries
    async def views(self, integration_ids: Sequence[UUID]) -> list[IntegrationView]:
        return [self._view(i) for i in integration_ids if i in self.s.views]

    async def views_after(self, after: UUID | None, limit: int) -> list[IntegrationView]:
        ids = sorted(i for i in self.s.views if after is None or i > after)
        return [self._view(i) for i in ids[:limit]]

    def _view(self, integration_id: UUID) -> IntegrationView:
        """As the SQL view: active follows the integration row's current status."""
        row = self.s.integrations.get(integration_id)
        active = row is not None and row.status is IntegrationStatus.ACTIVE
        return dataclasses.replace(self.s.views[integration_id], active=active)

    async def integration_ids_of_org(self, org_id: UUID) -> list[UUID]:
        return sorted(i for i, view in self.s.views.items() if view.org_id == org_id)

    async def existing(
        self, integration_ids: Sequence[UUID]
    ) -> dict[UUID, dict[DataType, EntryState]]:
        return {i: dict(self.s.entries[i]) for i in integration_ids if i in self.s.entries}

    async def write(self, planned: Sequence[tuple[IntegrationView, EntryState]]) -> None:
        for view, state in planned:
            self.s.entries.setdefault(view.integration_id, {})[state.data_type] = state

    async def missed(self, before: datetime, limit: int) -> list[MissedEntry]:
        overdue = [
            (state.next_due_at, MissedEntry(integration_id, data_type, state.period_seconds))
            for integration_id, states in self.s.entries.items()
            for data_type, state in states.items()
            if state.enabled and state.next_due_at < before
        ]
        overdue.sort(key=lambda item: item[0])
        return [entry for _, entry in overdue[:limit]]

    async def move(self, moves: Sequence[tuple[MissedEntry, datetime]]) -> None:
        for entry, due in moves:
            states = self.s.entries[entry.integration_id]
            states[entry.data_type] = dataclasses.replace(states[entry.data_type], next_due_at=due)

    # retries
    async def add(self, failed: SyncFailed, due_at: datetime) -> None:
        self.s.retries.setdefault((failed.run_id, failed.attempt + 1), due_at)

    # runs
    async def active_before(self, before: datetime, limit: int) -> list[ActiveRun]:
        active = [
            run for run in self.s.runs.values()
            if self.s.run_status[run.run_id].is_active and run.since < before
        ]  # fmt: skip
        return sorted(active, key=lambda run: run.since)[:limit]

    async def time_out(
        self, run: ActiveRun, now: datetime, message: str, decision: RetryDecision
    ) -> bool:
        current = self.s.runs.get(run.run_id)
        if current is None or current.attempt != run.attempt:
            return False
        if self.s.run_status[run.run_id] is not run.status:
            return False
        if (run.run_id, run.attempt) in self.s.finished_attempts:
            return False
        self.s.finished_attempts[(run.run_id, run.attempt)] = "sweep"
        self.s.run_status[run.run_id] = decision.run_status
        return True

    # retention
    async def purge(self, cutoffs: Cutoffs, batch_size: int) -> dict[str, int]:
        deleted = {}
        for table, before in dataclasses.asdict(cutoffs).items():
            rows = self.s.aged.get(table, [])
            old = [at for at in rows if at < before][:batch_size]
            for at in old:
                rows.remove(at)
            deleted[table] = len(old)
        return deleted

    # exchange rates
    async def newest_date(self) -> date | None:
        return max((day for _, day in self.s.rates), default=None)

    async def store(self, rates: Sequence[PublishedRate], source: str, at: datetime) -> int:
        for rate in rates:
            self.s.rates[(rate.currency, rate.rate_date)] = (rate.rate, source)
        return len(rates)

    async def ensure_metric_partitions(self, first: date, last: date) -> int:
        months = []
        month = first.replace(day=1)
        while month <= last:
            months.append(month)
            month = (month + timedelta(days=32)).replace(day=1)
        missing = [month for month in months if month not in self.s.metric_partitions]
        self.s.metric_partitions.update(missing)
        return len(missing)


class FakeUnitOfWork(FakeInboxOutbox):
    def __init__(self, store: FakeStore) -> None:
        self._store = store
        self.committed = False

    async def __aenter__(self) -> Self:
        self._state = copy.deepcopy(self._store.state)
        repos = _Repos(self._state)
        self.integrations = self.entries = self.retries = self.runs = self.retention = repos
        self.exchange_rates = repos
        self.backfills = FakeBackfills(self._state.book)
        self._outbox: list[Event] = []
        self._store.opened += 1
        return self


class FakeStore:
    def __init__(self) -> None:
        self.state = FakeState()
        self.opened = 0

    def uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self)

    def events(self, kind: type[Event] | None = None) -> list[Event]:
        return [e for e in self.state.published if kind is None or isinstance(e, kind)]
