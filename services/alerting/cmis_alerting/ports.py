"""What the handlers need from the outside world, as Protocols: a unit of work exposing the
repositories (one transaction, with the inbox claim and the outbox), and the dead-letter
queue's depth. Adapters implement them against PostgreSQL and RabbitMQ; unit tests use
in-memory fakes."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

from cmis_alerting.domain.lifecycle import Decision, StoredAlert
from cmis_alerting.domain.observations import AlertKey
from cmis_alerting.domain.series import AccountDay, CampaignSeries
from cmis_alerting.domain.tokens import TokenFacts
from cmis_alerting.domain.user_actions import Acknowledgement
from cmis_shared.events import AlertType
from cmis_shared.ports import InboxOutboxUnitOfWork


class AlertRepository(Protocol):
    async def latest(self, key: AlertKey) -> StoredAlert | None:
        """The open alert for ``key``, else the last resolved one, locked until commit."""
        ...

    async def save(self, decision: Decision, cause_event_id: UUID | None) -> UUID:
        """Write the decision (and its history row); returns the alert's id. Raises
        :class:`~cmis_alerting.domain.errors.AlertOpenedConcurrently` when another writer
        opened the same alert meanwhile."""
        ...

    async def by_id(self, org_id: UUID, alert_id: UUID) -> tuple[AlertKey, StoredAlert] | None:
        """The organization's alert and its key, locked until commit."""
        ...

    async def acknowledge(self, change: Acknowledgement, cause_event_id: UUID | None) -> None:
        """Store a user's acknowledgement or snooze, with its history row."""
        ...

    async def open_alerts_of_integration(
        self, org_id: UUID, integration_id: UUID
    ) -> list[AlertKey]: ...

    async def open_by_subject(self, alert_type: AlertType) -> dict[UUID, AlertKey]: ...

    async def org_settings(self, org_id: UUID) -> Mapping[str, Any]: ...


class AlertHistoryRepository(Protocol):
    async def delete_before(self, cutoff: datetime, limit: int) -> int:
        """Delete at most ``limit`` history rows older than ``cutoff``; returns how many."""
        ...


class IntegrationRepository(Protocol):
    async def token_facts(
        self, also: Iterable[UUID], org_id: UUID | None = None
    ) -> list[TokenFacts]:
        """Active integrations with an expiring token, and those ``also`` names (only the
        organization's, given ``org_id``)."""
        ...


class MetricsRepository(Protocol):
    """The stored platform data the metric rules (anomalies, budget pacing) judge."""

    async def integration_timezone(self, integration_id: UUID) -> str | None: ...

    async def campaign_series(
        self, integration_id: UUID, since: date, until: date
    ) -> list[CampaignSeries]: ...

    async def organization_days(
        self, org_id: UUID, since: date, until: date
    ) -> list[AccountDay]: ...


class AlertingUnitOfWork(InboxOutboxUnitOfWork, Protocol):
    @property
    def alerts(self) -> AlertRepository: ...
    @property
    def history(self) -> AlertHistoryRepository: ...
    @property
    def integrations(self) -> IntegrationRepository: ...
    @property
    def metrics(self) -> MetricsRepository: ...


UnitOfWorkFactory = Callable[[], AlertingUnitOfWork]


class DeadLetterQueue(Protocol):
    @property
    def name(self) -> str: ...

    async def depth(self) -> int:
        """How many messages wait in the dead-letter queue now."""
        ...
