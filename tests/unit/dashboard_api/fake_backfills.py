"""An in-memory backfill store for the dashboard's unit tests, behaving like
``adapters/backfills.py``: live windows cover their days, cancelling marks pending ones."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from cmis_dashboard_api.domain.backfill import DayRange
from cmis_dashboard_api.ports import BackfillTarget, NewBackfill, NewWindow
from cmis_dashboard_api.schemas.backfills import BackfillOut
from cmis_shared.events import BackfillStatus
from cmis_shared.statuses import COVERING_WINDOW_STATUSES, IntegrationStatus, WindowStatus


@dataclass
class FakeWindow:
    backfill_id: UUID
    integration_id: UUID
    data_type: str
    span: DayRange
    status: WindowStatus = WindowStatus.PENDING


@dataclass
class BackfillState:
    backfills: dict[UUID, dict[str, Any]] = field(default_factory=dict)
    windows: list[FakeWindow] = field(default_factory=list)
    metric_days: dict[UUID, set[date]] = field(default_factory=dict)


def _out(row: dict[str, Any]) -> BackfillOut:
    finished = row["windows_done"] + row["windows_failed"] + row["windows_cancelled"]
    return BackfillOut(**row, windows_pending=row["windows_total"] - finished)


class FakeBackfills:
    def __init__(self, state: Any) -> None:
        self.s = state  # the dashboard's FakeState: integrations + backfill

    @property
    def b(self) -> BackfillState:
        state: BackfillState = self.s.backfill
        return state

    async def targets(
        self, org_id: UUID, integration_ids: Sequence[UUID] | None, lock: bool
    ) -> list[BackfillTarget]:
        return [
            BackfillTarget(row.id, row.platform)
            for row in sorted(self.s.integrations.values(), key=lambda row: row.id)
            if row.org_id == org_id
            and row.status != IntegrationStatus.DISCONNECTED
            and (integration_ids is None or row.id in integration_ids)
        ]

    async def covered(
        self, integration_ids: Sequence[UUID], data_types: Sequence[str]
    ) -> dict[tuple[UUID, str], list[DayRange]]:
        found: dict[tuple[UUID, str], list[DayRange]] = {}
        for w in self.b.windows:
            if (
                w.integration_id in integration_ids
                and w.data_type in data_types
                and w.status in COVERING_WINDOW_STATUSES
            ):
                found.setdefault((w.integration_id, w.data_type), []).append(w.span)
        return found

    async def days_with_metrics(
        self, integration_ids: Sequence[UUID], since: date, until: date
    ) -> dict[UUID, set[date]]:
        return {
            iid: {d for d in self.b.metric_days.get(iid, set()) if since <= d <= until}
            for iid in integration_ids
        }

    async def create(
        self, backfill: NewBackfill, windows: Sequence[NewWindow], now: datetime
    ) -> BackfillOut:
        self.b.backfills[backfill.id] = {
            "id": backfill.id,
            "status": backfill.status,
            "since": backfill.since,
            "until": backfill.until,
            "integration_ids": list(backfill.integration_ids),
            "data_types": list(backfill.data_types),
            "only_gaps": backfill.only_gaps,
            "requested_by": backfill.requested_by,
            "requested_at": now,
            "finished_at": now if backfill.status.is_final else None,
            "windows_total": len(windows),
            "windows_done": 0,
            "windows_failed": 0,
            "windows_cancelled": 0,
            "rows_stored": 0,
        }
        self.s.backfill_orgs[backfill.id] = (backfill.org_id, backfill.correlation_id)
        self.b.windows.extend(
            FakeWindow(backfill.id, w.integration_id, w.data_type, w.span) for w in windows
        )
        return _out(self.b.backfills[backfill.id])

    async def list(self, org_id: UUID, limit: int) -> list[BackfillOut]:
        mine = [
            row for bid, row in self.b.backfills.items() if self.s.backfill_orgs[bid][0] == org_id
        ]
        return [_out(row) for row in mine[::-1][:limit]]

    async def get(self, org_id: UUID, backfill_id: UUID) -> BackfillOut | None:
        row = self.b.backfills.get(backfill_id)
        if row is None or self.s.backfill_orgs[backfill_id][0] != org_id:
            return None
        return _out(row)

    async def cancel(
        self, org_id: UUID, backfill_id: UUID, now: datetime
    ) -> tuple[BackfillOut, UUID, bool] | None:
        found = await self.get(org_id, backfill_id)
        if found is None:
            return None
        correlation_id = self.s.backfill_orgs[backfill_id][1]
        row = self.b.backfills[backfill_id]
        if BackfillStatus(row["status"]).is_final:
            return found, correlation_id, False
        n = 0
        for i, w in enumerate(self.b.windows):
            if w.backfill_id == backfill_id and w.status is WindowStatus.PENDING:
                self.b.windows[i] = dataclasses.replace(w, status=WindowStatus.CANCELLED)
                n += 1
        row.update(
            status=BackfillStatus.CANCELLED,
            finished_at=now,
            windows_cancelled=row["windows_cancelled"] + n,
        )
        return _out(row), correlation_id, True
