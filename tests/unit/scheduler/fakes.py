"""Hand-written fakes of the scheduler's ports: a clock that moves only when told, the
rate budget in memory, and an in-memory schedule that behaves like the SQL one (claim in
earliest-deadline order, advance on dispatch)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from types import TracebackType
from uuid import UUID, uuid4

from cmis_scheduler.domain.budget import MICROS, PacedBudget, RateBudget
from cmis_scheduler.domain.dispatch import Advance, DueEntry
from cmis_scheduler.domain.schedule import ScheduleSpec
from cmis_shared.events import Platform

START = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


class FakeClock:
    """A :data:`cmis_shared.clock.Clock` moved in seconds, also read in microseconds since
    ``START`` (the rate budget's unit)."""

    def __init__(self, now: datetime = START) -> None:
        self.current = now

    def __call__(self) -> datetime:
        return self.current

    def now(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)

    def micros(self) -> int:
        return int((self.current - START).total_seconds() * MICROS)


class FakeLimiter:
    def __init__(self, clock: FakeClock, budgets: dict[Platform, RateBudget]) -> None:
        self._clock = clock
        self._budgets = {platform: PacedBudget(budget) for platform, budget in budgets.items()}

    async def available(self, platform: Platform, wanted: int) -> int:
        return self._budgets[platform].available(self._clock.micros(), wanted)

    async def take(self, platform: Platform, wanted: int) -> int:
        return self._budgets[platform].take(self._clock.micros(), wanted)


@dataclasses.dataclass
class Dispatched:
    at: datetime
    entry: DueEntry


class FakeSchedule:
    """The schedule table: entries by id; what was dispatched, blocked and reported."""

    def __init__(self) -> None:
        self.entries: dict[UUID, DueEntry] = {}
        self.dispatched: list[Dispatched] = []
        self.blocked: list[DueEntry] = []
        self.reported: list[UUID] = []
        self.switched_off: list[UUID] = []

    def add(
        self, spec: ScheduleSpec, platform: Platform, due: datetime, **facts: object
    ) -> DueEntry:
        fields: dict[str, object] = {
            "entry_id": uuid4(), "org_id": uuid4(), "integration_id": uuid4(),
            "platform": platform, "data_type": spec.data_type, "next_due_at": due,
            "spec": spec, "zone": UTC, "token_expires_at": None, "refreshable": False,
            "status_reason": None,
        }  # fmt: skip
        entry = DueEntry(**{**fields, **facts})  # type: ignore[arg-type]
        self.entries[entry.entry_id] = entry
        return entry

    def batch(self) -> FakeBatch:
        return FakeBatch(self)


class FakeBatch:
    def __init__(self, schedule: FakeSchedule) -> None:
        self._schedule = schedule
        self.committed = False

    async def __aenter__(self) -> FakeBatch:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:  # fmt: skip
        return None

    async def claim_due(self, platform: Platform, now: datetime, limit: int) -> list[DueEntry]:
        due = [
            entry
            for entry in self._schedule.entries.values()
            if entry.platform == platform and entry.next_due_at <= now
        ]
        due.sort(key=_deadline)
        return due[:limit]

    async def dispatch(self, advances: Sequence[Advance], now: datetime) -> int:
        for item in advances:
            self._schedule.dispatched.append(Dispatched(now, item.entry))
        await self.advance(advances)
        return len(advances)

    async def advance(self, advances: Sequence[Advance]) -> None:
        for item in advances:
            self._schedule.entries[item.entry.entry_id] = dataclasses.replace(
                item.entry, next_due_at=item.next_due_at
            )

    async def report_token_expired(self, entries: Sequence[DueEntry], now: datetime) -> None:
        for entry in entries:
            self._schedule.reported.append(entry.integration_id)
            for key, other in self._schedule.entries.items():
                if other.integration_id == entry.integration_id:
                    self._schedule.entries[key] = dataclasses.replace(
                        other, status_reason="token_expired"
                    )

    async def switch_off(self, entries: Sequence[DueEntry]) -> None:
        for entry in entries:
            self._schedule.switched_off.append(entry.entry_id)
            del self._schedule.entries[entry.entry_id]

    async def commit(self) -> None:
        self.committed = True


def _deadline(entry: DueEntry) -> tuple[datetime, UUID]:
    period = entry.spec.period_seconds if entry.spec else 0
    return entry.next_due_at + timedelta(seconds=period), entry.entry_id
