"""Hand-written fakes of alerting's ports: an in-memory unit of work (state copied on enter,
swapped in on commit, so a rollback really discards) exposing the alert, history and
integration repositories, and a dead-letter queue whose depth the test sets."""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Self
from uuid import UUID

from cmis_alerting.domain.errors import AlertOpenedConcurrently
from cmis_alerting.domain.lifecycle import Decision, StoredAlert
from cmis_alerting.domain.observations import AlertKey
from cmis_alerting.domain.series import AccountDay, CampaignSeries
from cmis_alerting.domain.tokens import TokenFacts
from cmis_alerting.domain.user_actions import Acknowledgement
from cmis_shared.events import AlertType, Event
from cmis_shared.statuses import IntegrationStatus
from tests.support.fake_unit_of_work import FakeInboxOutbox
from tests.unit.alerting.fake_store import FakeAlertStore


@dataclass
class FakeState:
    alerts: FakeAlertStore = field(default_factory=FakeAlertStore)
    org_settings: dict[UUID, dict[str, Any]] = field(default_factory=dict)
    integrations: list[TokenFacts] = field(default_factory=list)
    history_times: list[datetime] = field(default_factory=list)  # alert_history.at per row
    processed: set[tuple[str, UUID]] = field(default_factory=set)
    # Stored platform data, by integration: its time zone and campaigns with their days.
    timezones: dict[UUID, str] = field(default_factory=dict)
    campaigns: dict[UUID, list[CampaignSeries]] = field(default_factory=dict)
    published: list[Event] = field(default_factory=list)


class _Alerts:
    def __init__(self, state: FakeState, store: FakeStore) -> None:
        self.s = state
        self._store = store

    async def latest(self, key: AlertKey) -> StoredAlert | None:
        if self._store.before_latest is not None:
            hook, self._store.before_latest = self._store.before_latest, None
            await hook()
        return await self.s.alerts.latest(key)

    async def save(self, decision: Decision, cause_event_id: UUID | None) -> UUID:
        # The unique index sees what other transactions committed meanwhile.
        if decision.alert_id is None and decision.key in self._store.state.alerts.open_keys():
            raise AlertOpenedConcurrently(str(decision.key))
        return await self.s.alerts.save(decision, cause_event_id)

    async def by_id(self, org_id: UUID, alert_id: UUID) -> tuple[AlertKey, StoredAlert] | None:
        return await self.s.alerts.by_id(org_id, alert_id)

    async def acknowledge(self, change: Acknowledgement, cause_event_id: UUID | None) -> None:
        await self.s.alerts.acknowledge(change, cause_event_id)

    async def open_alerts_of_integration(
        self, org_id: UUID, integration_id: UUID
    ) -> list[AlertKey]:
        return [
            key
            for key, alert in self.s.alerts.alerts.values()
            if alert.is_open
            and key.org_id == org_id
            and (
                key.subject_id == integration_id
                or alert.details.get("integration_id") == str(integration_id)
            )
        ]

    async def open_by_subject(self, alert_type: AlertType) -> dict[UUID, AlertKey]:
        return {k.subject_id: k for k in self.s.alerts.open_keys() if k.alert_type == alert_type}

    async def org_settings(self, org_id: UUID) -> Mapping[str, Any]:
        return self.s.org_settings.get(org_id, {})


class _History:
    def __init__(self, state: FakeState) -> None:
        self.s = state

    async def delete_before(self, cutoff: datetime, limit: int) -> int:
        old = sorted(t for t in self.s.history_times if t < cutoff)[:limit]
        for at in old:
            self.s.history_times.remove(at)
        return len(old)


class _Integrations:
    def __init__(self, state: FakeState) -> None:
        self.s = state

    async def token_facts(
        self, also: Iterable[UUID], org_id: UUID | None = None
    ) -> list[TokenFacts]:
        named = set(also)
        return [
            f
            for f in self.s.integrations
            if (org_id is None or f.org_id == org_id)
            and (
                (f.status == IntegrationStatus.ACTIVE and f.token_expires_at is not None)
                or f.integration_id in named
            )
        ]


class _Metrics:
    def __init__(self, state: FakeState) -> None:
        self.s = state

    async def integration_timezone(self, integration_id: UUID) -> str | None:
        return self.s.timezones.get(integration_id)

    async def campaign_series(
        self, integration_id: UUID, since: date, until: date
    ) -> list[CampaignSeries]:
        return [
            replace(c, days={d: f for d, f in c.days.items() if since <= d <= until})
            for c in self.s.campaigns.get(integration_id, [])
        ]

    async def organization_days(self, org_id: UUID, since: date, until: date) -> list[AccountDay]:
        # Every stored integration belongs to the test's one organization.
        return [
            AccountDay(c.integration_id, c.currency, d, f)
            for campaigns in self.s.campaigns.values()
            for c in campaigns
            for d, f in c.days.items()
            if since <= d <= until
        ]


class FakeUnitOfWork(FakeInboxOutbox):
    def __init__(self, store: FakeStore) -> None:
        self._store = store
        self.committed = False

    async def __aenter__(self) -> Self:
        self._state = copy.deepcopy(self._store.state)
        self.alerts = _Alerts(self._state, self._store)
        self.history = _History(self._state)
        self.integrations = _Integrations(self._state)
        self.metrics = _Metrics(self._state)
        self._outbox: list[Event] = []
        return self

    async def commit(self) -> None:
        await super().commit()
        self._store.commits += 1


class FakeStore:
    def __init__(self) -> None:
        self.state = FakeState()
        self.commits = 0
        # Run once, inside the next ``latest``: another writer acting between a look and a save.
        self.before_latest: Callable[[], Awaitable[None]] | None = None

    def uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self)

    def events(self, kind: type[Event] | None = None) -> list[Event]:
        return [e for e in self.state.published if kind is None or isinstance(e, kind)]

    def open_alerts(self) -> list[StoredAlert]:
        return self.state.alerts.open_alerts()


@dataclass
class FakeDeadLetterQueue:
    messages: int = 0
    name: str = "cmis.dead-letter"

    async def depth(self) -> int:
        return self.messages
