"""Hand-written fakes of the dashboard's ports: an in-memory unit of work whose state is
copied on enter and swapped in on commit, so a handler that does not commit changes nothing."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Generic, Self
from uuid import UUID, uuid4

from cmis_dashboard_api.ports import (
    ActiveRun,
    DuplicateNameError,
    IntegrationChange,
    NewRun,
    Out,
    TriggerTarget,
)
from cmis_dashboard_api.schemas.orgs import IntegrationOut
from cmis_dashboard_api.schemas.plans import ContentOut, KpiOut
from cmis_shared.events import DataType, Event, SyncTrigger
from cmis_shared.statuses import IntegrationStatus, RunStatus
from tests.unit.dashboard_api.fake_backfills import BackfillState, FakeBackfills

CREATED = datetime(2024, 1, 1, tzinfo=UTC)


@dataclass
class FakeState:
    integrations: dict[UUID, IntegrationOut] = field(default_factory=dict)
    runs: dict[UUID, dict[str, Any]] = field(default_factory=dict)
    kpis: dict[UUID, tuple[UUID, KpiOut]] = field(default_factory=dict)
    content: dict[UUID, tuple[UUID, ContentOut]] = field(default_factory=dict)
    published: list[Event] = field(default_factory=list)
    backfill: BackfillState = field(default_factory=BackfillState)
    backfill_orgs: dict[UUID, tuple[UUID, UUID]] = field(default_factory=dict)


class FakeRuns:
    def __init__(self, state: FakeState) -> None:
        self.s = state

    async def targets(self, org_id: UUID, integration_id: UUID | None) -> list[TriggerTarget]:
        return [
            TriggerTarget(row.id, row.platform)
            for row in sorted(self.s.integrations.values(), key=lambda row: row.id)
            if row.org_id == org_id
            and row.status != IntegrationStatus.DISCONNECTED
            and integration_id in (None, row.id)
        ]

    async def insert_manual(self, run: NewRun) -> bool:
        if await self.active(run.target.integration_id, run.data_type) is not None:
            return False
        self.s.runs[run.run_id] = {
            "integration_id": run.target.integration_id,
            "data_type": run.data_type,
            "status": RunStatus.QUEUED,
            "trigger": SyncTrigger.MANUAL,
            "attempt": 1,
            "correlation_id": run.correlation_id,
            "requested_by": run.requested_by,
        }
        return True

    async def active(self, integration_id: UUID, data_type: DataType) -> ActiveRun | None:
        for run_id, run in self.s.runs.items():
            if (
                run["integration_id"] == integration_id
                and run["data_type"] == data_type
                and run["status"].is_active
            ):
                return ActiveRun(
                    run_id, run["status"], run["trigger"], run["attempt"], run["correlation_id"]
                )
        return None

    async def mark_manual(self, run_id: UUID, requested_by: str) -> bool:
        run = self.s.runs[run_id]
        if run["status"] is not RunStatus.QUEUED:
            return False
        run["trigger"], run["requested_by"] = SyncTrigger.MANUAL, requested_by
        return True


class FakeIntegrations:
    def __init__(self, state: FakeState) -> None:
        self.s = state

    async def active(self, org_id: UUID) -> list[IntegrationOut]:
        return [
            row
            for row in self.s.integrations.values()
            if row.org_id == org_id and row.status != IntegrationStatus.DISCONNECTED
        ]

    async def get(self, org_id: UUID, integration_id: UUID) -> IntegrationOut | None:
        row = self.s.integrations.get(integration_id)
        if row is None or row.org_id != org_id or row.status == IntegrationStatus.DISCONNECTED:
            return None
        return row

    async def connect(
        self, org_id: UUID, values: dict[str, Any], credentials: dict[str, Any]
    ) -> IntegrationOut:
        row = IntegrationOut(
            id=uuid4(),
            org_id=org_id,
            status=IntegrationStatus.ACTIVE,
            status_reason=None,
            last_synced_at=None,
            created_at=CREATED,
            **{
                "currency": None,
                "timezone": "UTC",
                "account_extra": {},
                "token_expires_at": None,
                "refreshable": False,
                **values,
            },
        )
        self.s.integrations[row.id] = row
        return row

    async def update(
        self, org_id: UUID, integration_id: UUID, change: IntegrationChange
    ) -> IntegrationOut | None:
        row = await self.get(org_id, integration_id)
        if row is None:
            return None
        self.s.integrations[row.id] = row = row.model_copy(update=change.fields)
        return row

    async def disconnect(self, org_id: UUID, integration_id: UUID, now: datetime) -> bool:
        return (
            await self.update(org_id, integration_id, IntegrationChange({"status": "disconnected"}))
            is not None
        )


class FakePlans(Generic[Out]):
    def __init__(self, rows: dict[UUID, tuple[UUID, Out]], out: type[Out]) -> None:
        self.rows: dict[UUID, tuple[UUID, Out]] = rows
        self.out: type[Out] = out

    async def list(self, org_id: UUID) -> list[Out]:
        return [row for owner, row in self.rows.values() if owner == org_id]

    async def add(self, org_id: UUID, values: dict[str, Any]) -> Out:
        row = self.out(id=uuid4(), created_at=CREATED, **values)
        self._check_name(org_id, row)
        self.rows[row.id] = (org_id, row)
        return row

    async def change(self, org_id: UUID, row_id: UUID, values: dict[str, Any]) -> Out | None:
        owner, row = self.rows.get(row_id, (None, None))
        if row is None or owner != org_id:
            return None
        row = row.model_copy(update=values)
        self._check_name(org_id, row)
        self.rows[row_id] = (org_id, row)
        return row

    async def remove(self, org_id: UUID, row_id: UUID) -> bool:
        owner, _ = self.rows.get(row_id, (None, None))
        if owner != org_id:
            return False
        del self.rows[row_id]
        return True

    def _check_name(self, org_id: UUID, row: Out) -> None:
        name = getattr(row, "name", None)
        for owner, other in self.rows.values():
            if (
                owner == org_id
                and other.id != row.id
                and name
                and getattr(other, "name", None) == name
            ):
                raise DuplicateNameError(name)


class FakeUnitOfWork:
    def __init__(self, state: FakeState | None = None) -> None:
        self.committed = state or FakeState()
        self.commits = 0
        self._work = self.committed

    @property
    def runs(self) -> FakeRuns:
        return FakeRuns(self._work)

    @property
    def integrations(self) -> FakeIntegrations:
        return FakeIntegrations(self._work)

    @property
    def kpis(self) -> FakePlans[KpiOut]:
        return FakePlans(self._work.kpis, KpiOut)

    @property
    def content(self) -> FakePlans[ContentOut]:
        return FakePlans(self._work.content, ContentOut)

    @property
    def backfills(self) -> FakeBackfills:
        return FakeBackfills(self._work)

    async def __aenter__(self) -> Self:
        self._work = copy.deepcopy(self.committed)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._work = self.committed

    async def publish(self, *events: Event) -> None:
        self._work.published.extend(events)

    async def commit(self) -> None:
        self.committed = self._work
        self.commits += 1
