"""Hand-written fakes of the dashboard's ports: an in-memory unit of work whose state is
copied on enter and swapped in on commit, so a handler that does not commit changes nothing;
the OAuth flow store and a platform's side of the consent."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Generic, Self
from uuid import UUID, uuid4

from cmis_dashboard_api.domain.oauth import (
    Authorization,
    Callback,
    Grant,
    NewPendingGrant,
    OAuthFailure,
    PendingGrant,
    Reach,
)
from cmis_dashboard_api.domain.org_settings import OrgSettings
from cmis_dashboard_api.ports import (
    ActiveRun,
    AuditRecord,
    CursorNotFoundError,
    DuplicateNameError,
    IntegrationChange,
    NewRun,
    Out,
    TriggerTarget,
    UserRef,
)
from cmis_dashboard_api.schemas import notifications as schemas
from cmis_dashboard_api.schemas.audit import AuditEntry
from cmis_dashboard_api.schemas.members import MemberOut
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
    alerts: dict[tuple[UUID, UUID], str] = field(default_factory=dict)  # (org, alert) -> status
    settings: dict[UUID, OrgSettings] = field(default_factory=dict)
    currencies: dict[UUID, str] = field(default_factory=dict)  # first account's, by org
    locked: list[UUID] = field(default_factory=list)  # organizations locked, in order
    users: dict[str, UserRef] = field(default_factory=dict)  # by email
    members: dict[UUID, dict[UUID, MemberOut]] = field(default_factory=dict)  # org -> user
    audit: list[tuple[UUID, AuditEntry]] = field(default_factory=list)  # (org, entry), oldest first
    grants: dict[UUID, NewPendingGrant] = field(default_factory=dict)
    channels: dict[UUID, tuple[UUID, schemas.ChannelOut]] = field(default_factory=dict)
    tests_queued: list[UUID] = field(default_factory=list)  # channel per queued test
    attempts: dict[UUID, list[schemas.AttemptOut]] = field(
        default_factory=dict
    )  # by channel, oldest first
    silences: dict[UUID, tuple[UUID, schemas.SilenceOut]] = field(default_factory=dict)
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


class FakeAlerts:
    def __init__(self, state: FakeState) -> None:
        self.s = state

    async def status(self, org_id: UUID, alert_id: UUID) -> str | None:
        return self.s.alerts.get((org_id, alert_id))


class FakeOrgSettings:
    def __init__(self, state: FakeState) -> None:
        self.s = state

    async def lock(self, org_id: UUID) -> OrgSettings:
        self.s.locked.append(org_id)
        return await self.read(org_id)

    async def read(self, org_id: UUID) -> OrgSettings:
        return self.s.settings.get(org_id, OrgSettings("UTC", None, {}))

    async def save(self, org_id: UUID, settings: OrgSettings) -> None:
        self.s.settings[org_id] = settings

    async def first_account_currency(self, org_id: UUID) -> str | None:
        return self.s.currencies.get(org_id)


class FakeMembers:
    def __init__(self, state: FakeState) -> None:
        self.s = state

    async def list(self, org_id: UUID) -> list[MemberOut]:
        return sorted(self.s.members.get(org_id, {}).values(), key=lambda m: m.email)

    async def roles(self, org_id: UUID) -> dict[UUID, str]:
        return {user: m.role for user, m in self.s.members.get(org_id, {}).items()}

    async def find_user(self, email: str) -> UserRef | None:
        return self.s.users.get(email)

    async def add(self, org_id: UUID, user: UserRef, role: str) -> MemberOut | None:
        members = self.s.members.setdefault(org_id, {})
        if user.user_id in members:
            return None
        members[user.user_id] = MemberOut.model_validate(
            {"user_id": user.user_id, "email": user.email, "name": user.name, "role": role}
        )
        return members[user.user_id]

    async def set_role(self, org_id: UUID, user_id: UUID, role: str) -> MemberOut:
        members = self.s.members[org_id]
        members[user_id] = members[user_id].model_copy(update={"role": role})
        return members[user_id]

    async def remove(self, org_id: UUID, user_id: UUID) -> None:
        del self.s.members[org_id][user_id]


class FakeAuditLog:
    def __init__(self, state: FakeState) -> None:
        self.s = state

    async def record(self, entry: AuditRecord) -> None:
        self.s.audit.append(
            (
                entry.org_id,
                AuditEntry(
                    id=uuid4(), at=CREATED, actor_user_id=entry.actor.user_id,
                    actor_email=entry.actor.email, action=entry.action,
                    target_type=entry.target_type, target_id=entry.target_id,
                    before=entry.before, after=entry.after,
                ),
            )
        )  # fmt: skip

    async def page(self, org_id: UUID, after: UUID | None, limit: int) -> list[AuditEntry]:
        newest_first = [entry for org, entry in reversed(self.s.audit) if org == org_id]
        if after is not None:
            ids = [entry.id for entry in newest_first]
            if after not in ids:
                raise CursorNotFoundError(str(after))
            newest_first = newest_first[ids.index(after) + 1 :]
        return newest_first[:limit]


class FakeOAuthGrants:
    def __init__(self, state: FakeState) -> None:
        self.s = state

    async def add(self, new: NewPendingGrant) -> UUID:
        grant_id = uuid4()
        self.s.grants[grant_id] = new
        return grant_id

    async def get(
        self, org_id: UUID, user_id: UUID, grant_id: UUID, now: datetime, *, lock: bool = False
    ) -> PendingGrant | None:
        new = self.s.grants.get(grant_id)
        if new is None or (new.org_id, new.user_id) != (org_id, user_id) or now >= new.expires_at:
            return None
        return PendingGrant(grant_id, new.platform, new.grant, new.accounts, new.expires_at)

    async def remove(self, grant_id: UUID) -> None:
        del self.s.grants[grant_id]


class FakeChannels:
    def __init__(self, state: FakeState) -> None:
        self.s = state

    async def all(self, org_id: UUID) -> list[schemas.ChannelOut]:
        return [row for owner, row in self.s.channels.values() if owner == org_id]

    async def find(self, org_id: UUID, channel_id: UUID) -> schemas.ChannelOut | None:
        owner, row = self.s.channels.get(channel_id, (None, None))
        return row if owner == org_id else None

    async def create(
        self, org_id: UUID, body: schemas.CreateChannel
    ) -> tuple[schemas.ChannelOut, str | None]:
        row = schemas.ChannelOut(
            id=uuid4(), name=body.name, kind=body.kind,
            target_hint=body.to or str(body.url), routing=body.routing.to_json(),
            enabled=True, disabled_reason=None, consecutive_failures=0, created_at=CREATED,
        )  # fmt: skip
        self.s.channels[row.id] = (org_id, row)
        return row, "whsec_fake" if body.kind == "webhook" else None

    async def update(
        self, org_id: UUID, channel_id: UUID, body: schemas.UpdateChannel
    ) -> schemas.ChannelOut:
        row = await self.find(org_id, channel_id)
        assert row is not None, "update of a channel the unit of work did not find"
        changes: dict[str, Any] = {}
        if body.name is not None:
            changes["name"] = body.name
        if body.enabled is not None:
            changes["enabled"] = body.enabled
            if body.enabled:
                changes |= {"disabled_reason": None, "consecutive_failures": 0}
        row = row.model_copy(update=changes)
        self.s.channels[channel_id] = (org_id, row)
        return row

    async def delete(self, org_id: UUID, channel_id: UUID) -> bool:
        if await self.find(org_id, channel_id) is None:
            return False
        del self.s.channels[channel_id]
        return True

    async def queue_test(self, org_id: UUID, channel_id: UUID) -> UUID:
        self.s.tests_queued.append(channel_id)
        return uuid4()

    async def attempts(
        self, channel_id: UUID, before: int | None, limit: int
    ) -> list[schemas.AttemptOut]:
        rows = reversed(self.s.attempts.get(channel_id, []))
        return [a for a in rows if before is None or a.id < before][:limit]


class FakeSilences:
    def __init__(self, state: FakeState) -> None:
        self.s = state

    async def active(self, org_id: UUID, now: datetime) -> list[schemas.SilenceOut]:
        rows = [
            r for owner, r in self.s.silences.values() if owner == org_id and r.expires_at > now
        ]
        return sorted(rows, key=lambda row: row.expires_at)

    async def create(self, org_id: UUID, body: schemas.CreateSilence) -> schemas.SilenceOut:
        row = schemas.SilenceOut(
            id=uuid4(), subject_id=body.subject_id,
            alert_type=None if body.alert_type is None else str(body.alert_type),
            expires_at=body.expires_at, comment=body.comment, created_at=CREATED,
        )  # fmt: skip
        self.s.silences[row.id] = (org_id, row)
        return row

    async def delete(self, org_id: UUID, silence_id: UUID) -> bool:
        owner, _ = self.s.silences.get(silence_id, (None, None))
        if owner != org_id:
            return False
        del self.s.silences[silence_id]
        return True


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
    def alerts(self) -> FakeAlerts:
        return FakeAlerts(self._work)

    @property
    def org_settings(self) -> FakeOrgSettings:
        return FakeOrgSettings(self._work)

    @property
    def members(self) -> FakeMembers:
        return FakeMembers(self._work)

    @property
    def audit(self) -> FakeAuditLog:
        return FakeAuditLog(self._work)

    @property
    def oauth_grants(self) -> FakeOAuthGrants:
        return FakeOAuthGrants(self._work)

    @property
    def channels(self) -> FakeChannels:
        return FakeChannels(self._work)

    @property
    def silences(self) -> FakeSilences:
        return FakeSilences(self._work)

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


class FakeFlows:
    """Consent round trips in flight; ``take`` works once. The lifetimes asked are kept."""

    def __init__(self) -> None:
        self.flows: dict[str, dict[str, Any]] = {}
        self.ttls: dict[str, int] = {}

    async def keep(self, nonce: str, flow: dict[str, Any], ttl_seconds: int) -> None:
        self.flows[nonce] = flow
        self.ttls[nonce] = ttl_seconds

    async def take(self, nonce: str) -> dict[str, Any] | None:
        return self.flows.pop(nonce, None)


@dataclass
class FakePlatform:
    """One platform's side of the consent: an authorization URL, a grant for the code
    ``good``, and the accounts the grant reaches. ``failure`` makes the exchange fail."""

    platform: str
    reach_of_grant: Reach
    grant: Grant = field(default_factory=lambda: Grant({"access_token": "at"}, refreshable=True))
    is_configured: bool = True
    failure: OAuthFailure | None = None
    callbacks: list[Callback] = field(default_factory=list)

    def configured(self) -> bool:
        return self.is_configured

    async def authorize(self, state: str, redirect_uri: str) -> Authorization:
        return Authorization(
            f"https://consent.example/{self.platform}?state={state}&redirect_uri={redirect_uri}",
            {"code_verifier": "v-" + state[-6:]},
        )

    async def exchange(self, callback: Callback) -> Grant:
        self.callbacks.append(callback)
        if self.failure is not None:
            raise self.failure
        if callback.params.get("code") != "good":
            raise OAuthFailure("exchange_failed", "bad code")
        return self.grant

    async def reach(self, grant: Grant) -> Reach:
        return self.reach_of_grant
