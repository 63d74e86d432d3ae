"""What the dashboard's handlers need from the outside world, as small interfaces: a unit of
work exposing repositories (PostgreSQL), the view store (Redis) and the live hub. Adapters
implement them; unit tests implement them with in-memory fakes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol, TypeVar
from uuid import UUID

from cmis_dashboard_api.domain.backfill import DayRange
from cmis_dashboard_api.domain.fx import RateBook
from cmis_dashboard_api.domain.oauth import (
    Authorization,
    Callback,
    Grant,
    NewPendingGrant,
    PendingGrant,
    Reach,
)
from cmis_dashboard_api.domain.org_settings import OrgSettings
from cmis_dashboard_api.domain.state import DashboardState, KpiTarget, ScheduledItem
from cmis_dashboard_api.schemas.audit import AuditEntry
from cmis_dashboard_api.schemas.backfills import BackfillOut
from cmis_dashboard_api.schemas.members import MemberOut
from cmis_dashboard_api.schemas.notifications import (
    AttemptOut,
    ChannelOut,
    CreateChannel,
    CreateSilence,
    SilenceOut,
    UpdateChannel,
)
from cmis_dashboard_api.schemas.orgs import IntegrationOut
from cmis_dashboard_api.schemas.plans import ContentOut, KpiOut
from cmis_shared.events import BackfillStatus, DataType, Platform, SyncTrigger
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


@dataclass(frozen=True)
class IntegrationChange:
    """Fields to change, and credentials to merge into the stored ones (None: keep them)."""

    fields: dict[str, Any]
    credentials: dict[str, Any] | None = None


class Integrations(Protocol):
    """Every change stages its ``integration.*`` event in the same unit of work."""

    async def active(self, org_id: UUID) -> list[IntegrationOut]: ...
    async def get(self, org_id: UUID, integration_id: UUID) -> IntegrationOut | None: ...
    async def connect(
        self, org_id: UUID, values: dict[str, Any], credentials: dict[str, Any]
    ) -> IntegrationOut: ...
    async def update(
        self, org_id: UUID, integration_id: UUID, change: IntegrationChange
    ) -> IntegrationOut | None: ...
    async def disconnect(self, org_id: UUID, integration_id: UUID, now: datetime) -> bool: ...


class Plans(Protocol[Out]):
    """KPI targets or scheduled content; ``add``/``change`` raise DuplicateNameError."""

    async def list(self, org_id: UUID) -> list[Out]: ...
    async def add(self, org_id: UUID, values: dict[str, Any]) -> Out: ...
    async def change(self, org_id: UUID, row_id: UUID, values: dict[str, Any]) -> Out | None: ...
    async def remove(self, org_id: UUID, row_id: UUID) -> bool: ...


class AlertStates(Protocol):
    """Alerts are alerting's: the API reads their state and publishes commands about them."""

    async def status(self, org_id: UUID, alert_id: UUID) -> str | None:
        """The org's alert's status (open, resolved), or None when it has no such alert."""
        ...


class OrgSettingsStore(Protocol):
    async def lock(self, org_id: UUID) -> OrgSettings:
        """The stored settings, the organization's row locked until commit (settings and
        membership changes of one organization run one at a time)."""
        ...

    async def read(self, org_id: UUID) -> OrgSettings: ...
    async def save(self, org_id: UUID, settings: OrgSettings) -> None: ...
    async def first_account_currency(self, org_id: UUID) -> str | None:
        """The currency of the organization's first connected account that has one."""
        ...


@dataclass(frozen=True)
class UserRef:
    user_id: UUID
    email: str
    name: str


class Members(Protocol):
    async def list(self, org_id: UUID) -> list[MemberOut]: ...
    async def roles(self, org_id: UUID) -> dict[UUID, str]: ...
    async def find_user(self, email: str) -> UserRef | None: ...
    async def add(self, org_id: UUID, user: UserRef, role: str) -> MemberOut | None:
        """None when the user is a member already."""
        ...

    async def set_role(self, org_id: UUID, user_id: UUID, role: str) -> MemberOut: ...
    async def remove(self, org_id: UUID, user_id: UUID) -> None: ...


@dataclass(frozen=True)
class AuditRecord:
    """One change: who (``actor``), what (``action`` on ``target_type``/``target_id``),
    the values before and after. Never a secret."""

    org_id: UUID
    actor: Principal
    action: str
    target_type: str
    target_id: str | None
    before: dict[str, Any]
    after: dict[str, Any]


class CursorNotFoundError(LookupError):
    """The audit cursor names no entry of the organization."""


class AuditLog(Protocol):
    async def record(self, entry: AuditRecord) -> None: ...
    async def page(self, org_id: UUID, after: UUID | None, limit: int) -> list[AuditEntry]:
        """Newest first, the entries older than ``after`` (an entry id); raises
        CursorNotFoundError when ``after`` is not one of the organization's entries."""
        ...


class OAuthGrants(Protocol):
    """Pending grants, bound to the user and organization that started the consent."""

    async def add(self, new: NewPendingGrant) -> UUID: ...
    async def get(
        self, org_id: UUID, user_id: UUID, grant_id: UUID, now: datetime, *, lock: bool = False
    ) -> PendingGrant | None:
        """None when missing, expired, or another user's or organization's."""
        ...

    async def remove(self, grant_id: UUID) -> None: ...


class NotificationChannels(Protocol):
    """The organization's notification channels (targets encrypted by the adapter) and the
    delivery attempts the notifier recorded for them."""

    async def all(self, org_id: UUID) -> list[ChannelOut]: ...
    async def find(self, org_id: UUID, channel_id: UUID) -> ChannelOut | None:
        """The organization's channel, locked until commit."""
        ...

    async def create(self, org_id: UUID, body: CreateChannel) -> tuple[ChannelOut, str | None]:
        """The new channel and, for a webhook, its signing secret (returned this once)."""
        ...

    async def update(self, org_id: UUID, channel_id: UUID, body: UpdateChannel) -> ChannelOut:
        """Change a channel found in this unit of work; re-enabling resets its failures."""
        ...

    async def delete(self, org_id: UUID, channel_id: UUID) -> bool: ...
    async def queue_test(self, org_id: UUID, channel_id: UUID) -> UUID:
        """A ``test`` notification for the notifier to send; its id."""
        ...

    async def attempts(self, channel_id: UUID, before: int | None, limit: int) -> list[AttemptOut]:
        """Newest first, the attempts with an id below ``before``."""
        ...


class Silences(Protocol):
    async def active(self, org_id: UUID, now: datetime) -> list[SilenceOut]:
        """Those not expired at ``now``, the soonest to expire first."""
        ...

    async def create(self, org_id: UUID, body: CreateSilence) -> SilenceOut: ...
    async def delete(self, org_id: UUID, silence_id: UUID) -> bool: ...


@dataclass(frozen=True)
class BackfillTarget:
    integration_id: UUID
    platform: str


@dataclass(frozen=True)
class NewBackfill:
    id: UUID
    org_id: UUID
    correlation_id: UUID
    requested_by: str
    since: date
    until: date
    integration_ids: tuple[UUID, ...]
    data_types: tuple[str, ...]
    only_gaps: bool
    status: BackfillStatus


@dataclass(frozen=True)
class NewWindow:
    integration_id: UUID
    platform: Platform
    data_type: str
    span: DayRange


class Backfills(Protocol):
    async def targets(
        self, org_id: UUID, integration_ids: Sequence[UUID] | None, lock: bool
    ) -> list[BackfillTarget]:
        """The org's connected integrations (those named, or all); ``lock`` holds them until
        the transaction ends, so overlapping requests plan one after the other."""
        ...

    async def covered(
        self, integration_ids: Sequence[UUID], data_types: Sequence[str]
    ) -> dict[tuple[UUID, str], list[DayRange]]:
        """Day ranges of pending, dispatched or done windows per integration and data type."""
        ...

    async def days_with_metrics(
        self, integration_ids: Sequence[UUID], since: date, until: date
    ) -> dict[UUID, set[date]]: ...

    async def create(
        self, backfill: NewBackfill, windows: Sequence[NewWindow], now: datetime
    ) -> BackfillOut: ...

    async def list(self, org_id: UUID, limit: int) -> list[BackfillOut]: ...

    async def get(self, org_id: UUID, backfill_id: UUID) -> BackfillOut | None: ...

    async def cancel(
        self, org_id: UUID, backfill_id: UUID, now: datetime
    ) -> tuple[BackfillOut, UUID, bool] | None: ...


class UnitOfWork(OutboxUnitOfWork, Protocol):
    """One transaction: repositories' writes and the events staged in the outbox."""

    @property
    def runs(self) -> Runs: ...
    @property
    def integrations(self) -> Integrations: ...
    @property
    def oauth_grants(self) -> OAuthGrants: ...
    @property
    def kpis(self) -> Plans[KpiOut]: ...
    @property
    def content(self) -> Plans[ContentOut]: ...
    @property
    def alerts(self) -> AlertStates: ...
    @property
    def org_settings(self) -> OrgSettingsStore: ...
    @property
    def members(self) -> Members: ...
    @property
    def audit(self) -> AuditLog: ...
    @property
    def channels(self) -> NotificationChannels: ...
    @property
    def silences(self) -> Silences: ...

    @property
    def backfills(self) -> Backfills: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]


class OAuthPlatform(Protocol):
    """One platform's side of an OAuth connect; failures raise ``OAuthFailure``."""

    platform: str

    def configured(self) -> bool:
        """This application has client credentials for the platform."""
        ...

    async def authorize(self, state: str, redirect_uri: str) -> Authorization: ...
    async def exchange(self, callback: Callback) -> Grant:
        """Trade the callback's code (or X's verifier) for tokens, on the server."""
        ...

    async def reach(self, grant: Grant) -> Reach: ...


# Told after a KPI or scheduled-content change was committed (the view reloads its plans).
PlansChanged = Callable[[UUID], Awaitable[None]]


@dataclass(frozen=True)
class StoredPassword:
    """The user an email names, and their Argon2 hash (``None``: no password set)."""

    user_id: UUID
    password_hash: str | None


@dataclass(frozen=True)
class IssuedToken:
    token: str  # plaintext, shown once to the caller; only its hash is stored
    expires_at: datetime


class SignInStore(Protocol):
    async def stored_password(self, email: str) -> StoredPassword | None: ...
    async def issue_token(self, user_id: UUID) -> IssuedToken: ...
    async def replace_hash(self, user_id: UUID, old_hash: str, new_hash: str) -> None: ...


class SignInThrottle(Protocol):
    """Failed sign-ins counted per account and per client address (shared by processes)."""

    async def retry_after(self, account: str, address: str) -> float | None: ...
    async def failed(self, account: str, address: str) -> None: ...


class FlowStore(Protocol):
    """Consent round trips in flight, under their state's nonce; ``take`` works once."""

    async def keep(self, nonce: str, flow: dict[str, Any], ttl_seconds: int) -> None: ...
    async def take(self, nonce: str) -> dict[str, Any] | None: ...


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


class ExchangeRates(Protocol):
    """The published euro reference rates the view converts money with."""

    async def book(self) -> RateBook:
        """The rates known now (a cached copy; the last good one while the source fails)."""
        ...


class LivePublisher(Protocol):
    """Tells the live streams of an organization that a part of its view changed."""

    async def publish(self, org_id: UUID, kind: str, data: dict[str, Any]) -> str:
        """Returns the message's id in the org's replay buffer."""
        ...
