"""In-memory backfill windows for the scheduler's unit tests, as
``adapters/backfill_store.py`` and ``adapters/backfill_dispatch.py`` keep them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from types import TracebackType
from typing import Self
from uuid import UUID, uuid4

from cmis_scheduler.domain.backfill import BackfillCounts, PendingWindow, Progress, WindowOfRun
from cmis_shared.events import BackfillStatus, DataType, Platform, SyncRequested, SyncTrigger
from cmis_shared.statuses import WindowStatus


@dataclass
class Window:
    id: UUID
    backfill_id: UUID
    integration_id: UUID
    platform: Platform
    data_type: DataType
    start: date
    end: date
    status: WindowStatus = WindowStatus.PENDING
    attempt: int = 0
    run_id: UUID | None = None
    not_before: datetime | None = None
    rows: int = 0


@dataclass
class Book:
    """Backfills (their counts) and windows; ``closed_runs`` the runs a retry closed."""

    org_id: UUID = field(default_factory=uuid4)
    correlation_id: UUID = field(default_factory=uuid4)
    progress: dict[UUID, Progress] = field(default_factory=dict)
    windows: dict[UUID, Window] = field(default_factory=dict)
    closed_runs: list[UUID] = field(default_factory=list)
    requested: list[SyncRequested] = field(default_factory=list)

    def add_backfill(
        self, integration_id: UUID, platform: Platform, spans: Sequence[tuple[date, date]]
    ) -> UUID:
        backfill_id = uuid4()
        self.progress[backfill_id] = Progress(BackfillStatus.RUNNING, len(spans))
        for start, end in spans:
            window = Window(uuid4(), backfill_id, integration_id, platform, DataType.METRICS,
                            start, end)  # fmt: skip
            self.windows[window.id] = window
        return backfill_id

    def of(self, backfill_id: UUID, status: WindowStatus) -> list[Window]:
        return [
            w for w in self.windows.values() if w.backfill_id == backfill_id and w.status is status
        ]


class FakeBackfills:
    def __init__(self, book: Book) -> None:
        self.b = book

    async def of_run(self, run_id: UUID) -> WindowOfRun | None:
        found = [w for w in self.b.windows.values() if w.run_id == run_id]
        if not found:
            return None
        w = found[0]
        return WindowOfRun(w.id, w.status, w.data_type, w.backfill_id, self.b.org_id,
                           self.b.correlation_id, self.b.progress[w.backfill_id])  # fmt: skip

    async def cancel_pending(
        self, integration_id: UUID, now: datetime
    ) -> list[tuple[BackfillCounts, int]]:
        counts: dict[UUID, int] = {}
        for w in self.b.windows.values():
            if w.integration_id == integration_id and w.status is WindowStatus.PENDING:
                w.status = WindowStatus.CANCELLED
                counts[w.backfill_id] = counts.get(w.backfill_id, 0) + 1
        return [
            (BackfillCounts(bid, self.b.org_id, self.b.correlation_id, self.b.progress[bid]), n)
            for bid, n in counts.items()
        ]

    async def finish_window(
        self, window_id: UUID, status: WindowStatus, rows: int, now: datetime
    ) -> None:
        self.b.windows[window_id].status = status
        self.b.windows[window_id].rows = rows

    async def retry_window(self, window_id: UUID, run_id: UUID, at: datetime) -> None:
        window = self.b.windows[window_id]
        window.status, window.not_before, window.run_id = WindowStatus.PENDING, at, None
        self.b.closed_runs.append(run_id)

    async def save(self, backfill_id: UUID, progress: Progress, now: datetime) -> None:
        self.b.progress[backfill_id] = progress


class FakeBackfillBatch:
    """Claim, count and dispatch over a :class:`Book` (a transaction that commits at once)."""

    def __init__(self, book: Book) -> None:
        self.b = book

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    async def claim_pending(
        self, platform: Platform, now: datetime, per_integration: int, limit: int
    ) -> list[PendingWindow]:
        pending = [
            w for w in self.b.windows.values()
            if w.platform is platform and w.status is WindowStatus.PENDING
            and (w.not_before is None or w.not_before <= now)
            and self.b.progress[w.backfill_id].status is BackfillStatus.RUNNING
        ]  # fmt: skip
        pending.sort(key=lambda w: w.end, reverse=True)
        return [
            PendingWindow(w.id, w.backfill_id, self.b.org_id, w.integration_id, w.platform,
                          w.data_type, w.start, w.end, w.attempt, self.b.correlation_id, "ana")
            for w in pending
        ][:limit]  # fmt: skip

    async def in_flight(self, integration_ids: Sequence[UUID]) -> dict[UUID, int]:
        counts: dict[UUID, int] = {}
        for w in self.b.windows.values():
            if w.status is WindowStatus.DISPATCHED:
                counts[w.integration_id] = counts.get(w.integration_id, 0) + 1
        return counts

    async def dispatch(self, windows: Sequence[PendingWindow], now: datetime) -> int:
        for p in windows:
            w = self.b.windows[p.id]
            w.status, w.attempt, w.run_id = WindowStatus.DISPATCHED, w.attempt + 1, uuid4()
            self.b.requested.append(
                SyncRequested(
                    org_id=p.org_id, correlation_id=p.correlation_id, occurred_at=now,
                    run_id=w.run_id, integration_id=w.integration_id, platform=w.platform,
                    data_type=w.data_type, trigger=SyncTrigger.BACKFILL, attempt=w.attempt,
                    window_start=w.start, window_end=w.end,
                )
            )  # fmt: skip
        return len(windows)

    async def commit(self) -> None:
        return None
