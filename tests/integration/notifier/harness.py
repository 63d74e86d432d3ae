"""The notifier's parts on the real database, without the broker: the handlers, the flush and
the delivery loop as the service wires them, a clock the test moves for grouping, and rows
that dashboard-api would write (organizations, channels)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import httpx
from prometheus_client import CollectorRegistry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from cmis_notifier.adapters.deliveries import SqlDeliveryQueue
from cmis_notifier.adapters.metrics import NotifierMetrics
from cmis_notifier.adapters.senders import ChannelSenders
from cmis_notifier.adapters.unit_of_work import SqlUnitOfWork
from cmis_notifier.domain.announce import channel_events
from cmis_notifier.handlers import AlertHandlers, DeliveryLoop, GroupFlush
from cmis_notifier.settings import NotifierSettings
from cmis_shared.clock import ManualClock
from cmis_shared.crypto import TokenCipher
from cmis_shared.db.engine import create_engine, create_session_factory
from cmis_shared.db.models import (
    Notification,
    NotificationAttempt,
    NotificationChannel,
    Organization,
    OutboxMessage,
)
from cmis_shared.events import (
    AlertRaised,
    AlertResolved,
    AlertType,
    Event,
    Severity,
    parse_event,
)

# In the past: the delivery queue compares with the database clock.
START = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


@dataclass
class Notifier:
    settings: NotifierSettings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: ManualClock
    handlers: AlertHandlers
    flush: GroupFlush
    delivery: DeliveryLoop
    metrics: CollectorRegistry
    http: httpx.AsyncClient

    @property
    def cipher(self) -> TokenCipher:
        return TokenCipher(self.settings.encryption_keys)

    async def add_org(self, timezone: str = "UTC") -> uuid.UUID:
        org_id = uuid.uuid4()
        async with self.sessions() as session, session.begin():
            session.add(Organization(id=org_id, name="Acme", timezone=timezone))
        return org_id

    async def add_channel(
        self, org_id: uuid.UUID | None, kind: str, target: dict[str, Any], **routing: Any
    ) -> uuid.UUID:
        channel_id = uuid.uuid4()
        async with self.sessions() as session, session.begin():
            session.add(NotificationChannel(
                id=channel_id, org_id=org_id, name=f"{kind} channel", kind=kind,
                target_encrypted=self.cipher.encrypt(target), target_hint="test", routing=routing,
            ))  # fmt: skip
        return channel_id

    async def deliver_all(self, rounds: int = 50) -> None:
        """Dispatch and wait until nothing is due (retries included)."""
        for _ in range(rounds):
            started = await self.delivery.dispatch_once()
            await self.delivery.drain()
            if not started and not await self.waiting():
                return

    async def waiting(self) -> int:
        async with self.sessions() as session:
            rows = await session.scalars(
                select(Notification.id).where(Notification.state.in_(("pending", "sending")))
            )
            return len(rows.all())

    async def notifications(self, channel_id: uuid.UUID) -> list[Notification]:
        async with self.sessions() as session:
            rows = await session.scalars(
                select(Notification)
                .where(Notification.channel_id == channel_id)
                .order_by(Notification.created_at)
            )
            return list(rows)

    async def attempts(self, channel_id: uuid.UUID) -> list[NotificationAttempt]:
        async with self.sessions() as session:
            rows = await session.scalars(
                select(NotificationAttempt)
                .where(NotificationAttempt.channel_id == channel_id)
                .order_by(NotificationAttempt.id)
            )
            return list(rows)

    async def staged_events(self, routing_key: str) -> list[Event]:
        """Events in the outbox (no relay runs here), parsed."""
        async with self.sessions() as session:
            rows = await session.scalars(
                select(OutboxMessage.payload).where(OutboxMessage.routing_key == routing_key)
            )
            return [parse_event(payload) for payload in rows]

    async def channel(self, channel_id: uuid.UUID) -> NotificationChannel:
        async with self.sessions() as session:
            row = await session.get(NotificationChannel, channel_id)
            assert row is not None
            return row

    async def close(self) -> None:
        await self.http.aclose()
        await self.engine.dispose()


def build(settings: NotifierSettings) -> Notifier:
    engine = create_engine(settings)
    sessions = create_session_factory(engine)
    clock = ManualClock(START)
    registry = CollectorRegistry()
    http = httpx.AsyncClient(timeout=settings.delivery_timeout_seconds)
    unit_of_work = partial(SqlUnitOfWork, sessions)
    delivery = DeliveryLoop(
        SqlDeliveryQueue(sessions, settings.channel_disable_after_failures),
        ChannelSenders(settings, http),  # signatures on the real clock: receivers check age
        TokenCipher(settings.encryption_keys),
        settings.retry_policy(),
        NotifierMetrics(registry),
        web_base_url=settings.web_base_url,
        concurrency=settings.delivery_concurrency,
        lease=timedelta(seconds=settings.delivery_lease_seconds),
        poll_seconds=settings.delivery_poll_seconds,
        announce=channel_events,
    )
    flush = GroupFlush(unit_of_work, settings.group_policy(), settings.web_base_url, clock)
    handlers = AlertHandlers(unit_of_work, clock)
    return Notifier(settings, engine, sessions, clock, handlers, flush, delivery, registry, http)


def raised(
    org_id: uuid.UUID,
    alert_type: AlertType = AlertType.BUDGET,
    severity: Severity = Severity.WARNING,
    message: str = "Campaign spent 95 % of its daily budget",
) -> AlertRaised:
    return AlertRaised(
        org_id=org_id, alert_id=uuid.uuid4(), alert_type=alert_type, subject_type="campaign",
        subject_id=uuid.uuid4(), severity=severity, message=message,
    )  # fmt: skip


def resolved(alert: AlertRaised) -> AlertResolved:
    return AlertResolved(
        org_id=alert.org_id, alert_id=alert.alert_id, alert_type=alert.alert_type,
        subject_type=alert.subject_type, subject_id=alert.subject_id, severity=alert.severity,
        message=alert.message, reason="spend below the threshold",
    )  # fmt: skip
