"""Hand-written fakes of the dashboard view's ports: the view store (Redis) as a dict that
keeps the state as JSON, as Redis does, so a handler never shares objects with it; the
PostgreSQL source as the states it would rebuild; the live hub as the messages it was told."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from cmis_dashboard_api.domain.state import DashboardState, KpiTarget, ScheduledItem
from cmis_dashboard_api.ports import Change, Materialized


class FakeViewStore:
    def __init__(self) -> None:
        self.states: dict[UUID, str] = {}
        self.views: dict[tuple[UUID, int | None], bytes] = {}
        self.period_ttls: dict[tuple[UUID, int], int] = {}
        self.view_ttls: dict[UUID, int] = {}

    def state(self, org_id: UUID) -> DashboardState | None:
        raw = self.states.get(org_id)
        return None if raw is None else DashboardState.model_validate_json(raw)

    def put_state(self, state: DashboardState) -> None:
        self.states[state.org_id] = state.model_dump_json()

    async def get_view(self, org_id: UUID, period_days: int | None = None) -> bytes | None:
        return self.views.get((org_id, period_days))

    async def put_period_view(self, org_id: UUID, period_days: int, view: bytes, ttl: int) -> None:
        self.views[(org_id, period_days)] = view
        self.period_ttls[(org_id, period_days)] = ttl

    async def transact(self, org_id: UUID, change: Change) -> Materialized | None:
        result = change(self.state(org_id))
        if result is None:
            return None
        self.put_state(result.state)
        self.views[(org_id, None)] = result.view
        self.view_ttls[org_id] = result.view_ttl_seconds
        for org, days in [key for key in self.views if key[0] == org_id and key[1]]:
            del self.views[(org, days)]  # as Redis: the other periods' views go stale
        return result


@dataclass
class FakeViewSource:
    """What PostgreSQL holds, per org; ``gate`` (when set) holds every state read until it
    opens, so a test can have several callers waiting on one rebuild."""

    states: dict[UUID, DashboardState] = field(default_factory=dict)
    kpis: dict[UUID, list[KpiTarget]] = field(default_factory=dict)
    scheduled: dict[UUID, list[ScheduledItem]] = field(default_factory=dict)
    state_reads: list[tuple[UUID, int]] = field(default_factory=list)
    plan_reads: int = 0
    gate: asyncio.Event | None = None

    async def state(self, org_id: UUID, now: datetime, period_days: int) -> DashboardState | None:
        self.state_reads.append((org_id, period_days))
        if self.gate is not None:
            await self.gate.wait()
        found = self.states.get(org_id)
        if found is None:
            return None
        return found.model_copy(deep=True, update={"period_days": period_days, "updated_at": now})

    async def plans(
        self, org_id: UUID, now: datetime
    ) -> tuple[list[KpiTarget], list[ScheduledItem]]:
        self.plan_reads += 1
        return list(self.kpis.get(org_id, [])), list(self.scheduled.get(org_id, []))


@dataclass
class FakeLive:
    published: list[tuple[UUID, str, dict[str, Any]]] = field(default_factory=list)

    async def publish(self, org_id: UUID, kind: str, data: dict[str, Any]) -> str:
        self.published.append((org_id, kind, data))
        return f"{len(self.published)}-0"
