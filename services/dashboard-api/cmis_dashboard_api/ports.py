"""What the dashboard's handlers need from the outside world, as small interfaces: a unit of
work exposing repositories (PostgreSQL), the view store (Redis) and the live hub. Adapters
implement them; unit tests implement them with in-memory fakes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar
from uuid import UUID

from cmis_dashboard_api.domain.state import DashboardState, KpiTarget, ScheduledItem
from cmis_dashboard_api.schemas.orgs import IntegrationOut
from cmis_dashboard_api.schemas.plans import ContentOut, KpiOut
from cmis_shared.events import DataType, SyncTrigger
from cmis_shared.ports import OutboxUnitOfWork
from cmis_shared.statuses import RunStatus

Out = TypeVar("Out", KpiOut, ContentOut)


@dataclass(frozen=True)
class Principal:
    """Who holds an API token, the organizations they may see, and those they administer
    (members read; admins change)."""

    user_id: UUID
    email: str
    org_ids: frozenset[UUID]
    admin_org_ids: frozenset[UUID] = frozenset()


# Token hash -> its principal, or None for an unknown, expired or revoked token.
PrincipalLookup = Callable[[str], Awaitable[Principal | None]]


class DuplicateNameError(ValueError):
    """A KPI with this name already exists in the organization."""


@dataclass(frozen=True)
class TriggerTarget:
    integration_id: UUID
    platform: str


@dataclass(frozen=True)
class ActiveRun:
    """The one queued-or-running run of an integration and data type."""

    run_id: UUID
    status: RunStatus
    trigger: SyncTrigger
    attempt: int
    correlation_id: UUID


@dataclass(frozen=True)
class NewRun:
    run_id: UUID
    correlation_id: UUID
    org_id: UUID
    target: TriggerTarget
    data_type: DataType
    requested_by: str


class Runs(Protocol):
    async def targets(self, org_id: UUID, integration_id: UUID | None) -> list[TriggerTarget]: ...
    async def insert_manual(self, run: NewRun) -> bool:
        """False when an active run of the same integration and data type exists."""
        ...

    async def active(self, integration_id: UUID, data_type: DataType) -> ActiveRun | None: ...
    async def mark_manual(self, run_id: UUID, requested_by: str) -> bool:
        """Make a still-queued run manual; False if it is no longer queued."""
        ...


class Integrations(Protocol):
    """Every change stages its ``integration.*`` event in the same unit of work."""

    async def active(self, org_id: UUID) -> list[IntegrationOut]: ...
    async def get(self, org_id: UUID, integration_id: UUID) -> IntegrationOut | None: ...
    async def connect(
        self, org_id: UUID, values: dict[str, Any], credentials: dict[str, Any]
    ) -> IntegrationOut: ...
    async def update(
        self,
        org_id: UUID,
        integration_id: UUID,
        changes: dict[str, Any],
        credentials: dict[str, Any] | None,
    ) -> IntegrationOut | None: ...
    async def disconnect(self, org_id: UUID, integration_id: UUID, now: datetime) -> bool: ...


class Plans(Protocol[Out]):
    """KPI targets or scheduled content; ``add``/``change`` raise DuplicateNameError."""

    async def list(self, org_id: UUID) -> list[Out]: ...
    async def add(self, org_id: UUID, values: dict[str, Any]) -> Out: ...
    async def change(self, org_id: UUID, row_id: UUID, values: dict[str, Any]) -> Out | None: ...
    async def remove(self, org_id: UUID, row_id: UUID) -> bool: ...


class UnitOfWork(OutboxUnitOfWork, Protocol):
    """One transaction: repositories' writes and the events staged in the outbox."""

    @property
    def runs(self) -> Runs: ...
    @property
    def integrations(self) -> Integrations: ...
    @property
    def kpis(self) -> Plans[KpiOut]: ...
    @property
    def content(self) -> Plans[ContentOut]: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
# Told after a KPI or scheduled-content change was committed (the view reloads its plans).
PlansChanged = Callable[[UUID], Awaitable[None]]


# --- the dashboard view (handlers/views.py) --------------------------------------------------


@dataclass(frozen=True)
class Materialized:
    """A view state with its rendered bytes, and how long those bytes stay current."""

    state: DashboardState
    view: bytes
    view_ttl_seconds: int


# Given the stored state (None when missing), the new state and bytes, or None for no change.
Change = Callable[[DashboardState | None], Materialized | None]


class ViewStore(Protocol):
    """Where the view lives (Redis): the state and the bytes to serve, per organization."""

    async def get_view(self, org_id: UUID, period_days: int | None = None) -> bytes | None: ...
    async def put_period_view(
        self, org_id: UUID, period_days: int, view: bytes, ttl: int
    ) -> None: ...
    async def transact(self, org_id: UUID, change: Change) -> Materialized | None:
        """Apply ``change`` to the current state and store its result atomically: a
        concurrent writer makes it start over, never lose an update."""
        ...


class ViewSource(Protocol):
    """The view rebuilt from what PostgreSQL holds."""

    async def state(self, org_id: UUID, now: datetime, period_days: int) -> DashboardState | None:
        """The whole state of one org, or None if the org does not exist."""
        ...

    async def plans(
        self, org_id: UUID, now: datetime
    ) -> tuple[list[KpiTarget], list[ScheduledItem]]: ...


class LivePublisher(Protocol):
    """Tells the live streams of an organization that a part of its view changed."""

    async def publish(self, org_id: UUID, kind: str, data: dict[str, Any]) -> None: ...
