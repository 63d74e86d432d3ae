"""Test support for the sync worker against real servers and the platform simulator:
integrations and queued runs written as dashboard-api and the scheduler would, requests
published to the broker, and every ``sync.*``/``integration.*`` event collected."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import aio_pika
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cmis_shared.crypto import TokenCipher
from cmis_shared.db.models import Integration, Organization, SyncRun
from cmis_shared.events import (
    DataType,
    Event,
    Platform,
    SyncCompleted,
    SyncFailed,
    SyncRequested,
    SyncTrigger,
    parse_event,
)
from cmis_shared.settings import CmisSettings
from cmis_shared.topology import Topology, event_routing_key
from cmis_sync_worker.settings import SyncWorkerSettings
from tests.support.platform_sim import END_DATE

ACCESS_TOKEN = "sim-worker-token"
REFRESH_TOKEN = "sim-refresh-worker"
EXTRA = {
    Platform.META: {"page_id": "4242", "ig_user_id": "17841400000000001"},
    Platform.LINKEDIN: {"organization_id": "2414183"},
    Platform.TWITTER: {"user_id": "783214"},
}
# Noon UTC on the simulator's last day is that same day in every simulated time zone.
SIM_NOW = datetime.combine(END_DATE, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)


@dataclass(frozen=True)
class SeededIntegration:
    org_id: uuid.UUID
    integration_id: uuid.UUID
    platform: Platform
    account_id: str
    currency: str
    timezone: str


async def seed_integration(
    sessions: async_sessionmaker[AsyncSession],
    settings: CmisSettings,
    platform: Platform,
    account_id: str,
    *,
    currency: str,
    timezone: str,
    token_expires_at: datetime | None = None,
    status: str = "active",
    org_id: uuid.UUID | None = None,
    refresh_token: str = REFRESH_TOKEN,
) -> SeededIntegration:
    org_id = org_id or uuid.uuid4()
    cipher = TokenCipher(settings.encryption_keys)
    credentials = {"access_token": ACCESS_TOKEN, "refresh_token": refresh_token}
    if platform is Platform.TWITTER:
        credentials["token_secret"] = "sim-token-secret"
    integration_id = uuid.uuid4()
    async with sessions() as session, session.begin():
        if await session.get(Organization, org_id) is None:
            session.add(Organization(id=org_id, name=f"org {org_id.hex[:6]}"))
            await session.flush()
        session.add(
            Integration(
                id=integration_id, org_id=org_id, platform=platform.value,
                account_id=account_id, account_name=f"acct {account_id}", currency=currency,
                timezone=timezone, account_extra=EXTRA.get(platform, {}), status=status,
                credentials_encrypted=cipher.encrypt(credentials),
                token_expires_at=token_expires_at,
                refreshable=platform in (Platform.GOOGLE, Platform.LINKEDIN),
            )
        )  # fmt: skip
    return SeededIntegration(org_id, integration_id, platform, account_id, currency, timezone)


async def queue_run(
    sessions: async_sessionmaker[AsyncSession],
    integration: SeededIntegration,
    data_type: DataType,
    *,
    window: tuple[date, date] | None = None,
    trigger: SyncTrigger = SyncTrigger.SCHEDULED,
) -> SyncRequested:
    """The requester's half: a queued run row and its request (not yet published)."""
    request = SyncRequested(
        org_id=integration.org_id, run_id=uuid.uuid4(), integration_id=integration.integration_id,
        platform=integration.platform, data_type=data_type, trigger=trigger, attempt=1,
        window_start=window[0] if window else None, window_end=window[1] if window else None,
    )  # fmt: skip
    async with sessions() as session, session.begin():
        session.add(
            SyncRun(
                id=request.run_id, org_id=request.org_id, integration_id=request.integration_id,
                platform=request.platform.value, data_type=data_type.value,
                trigger=trigger.value, correlation_id=request.correlation_id,
                status="queued", attempt=1,
            )
        )  # fmt: skip
    return request


def retry_of(request: SyncRequested) -> SyncRequested:
    """What the scheduler publishes when a retry is due."""
    return request.model_copy(
        update={
            "event_id": uuid.uuid4(),
            "attempt": request.attempt + 1,
            "trigger": SyncTrigger.RETRY,
        }
    )


@dataclass
class EventCollector:
    """An exclusive queue on the namespace's exchange: every sync and integration event."""

    rabbit_url: str
    topology: Topology
    events: list[Event] = field(default_factory=list)
    deliveries: int = 0

    async def start(self) -> None:
        self._connection = await aio_pika.connect_robust(self.rabbit_url)
        self._channel = await self._connection.channel()
        exchange = await self._channel.declare_exchange(
            self.topology.exchange.name, aio_pika.ExchangeType.TOPIC, durable=True
        )
        queue = await self._channel.declare_queue(exclusive=True, auto_delete=True)
        for key in ("sync.started", "sync.completed", "sync.failed", "integration.*"):
            await queue.bind(exchange, routing_key=key)
        self._publish_exchange = exchange
        await queue.consume(self._on_message, no_ack=True)

    async def _on_message(self, message: aio_pika.abc.AbstractIncomingMessage) -> None:
        self.deliveries += 1
        self.events.append(parse_event(message.body))

    async def publish(self, request: SyncRequested) -> None:
        """Straight to the broker (tests only; requesters go through their outbox)."""
        await self._publish_exchange.publish(
            aio_pika.Message(
                request.to_json(), message_id=str(request.event_id),
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                content_type="application/json",
            ),
            routing_key=event_routing_key(request),
        )  # fmt: skip

    async def stop(self) -> None:
        await self._connection.close()

    def of(self, run_id: uuid.UUID, kind: type[Event] | None = None) -> list[Any]:
        return [
            e for e in self.events
            if getattr(e, "run_id", None) == run_id and (kind is None or isinstance(e, kind))
        ]  # fmt: skip

    def outcomes(self) -> dict[tuple[uuid.UUID, int], set[uuid.UUID]]:
        """Distinct outcome event ids per (run, attempt); redeliveries of one event count once."""
        found: dict[tuple[uuid.UUID, int], set[uuid.UUID]] = defaultdict(set)
        for event in self.events:
            if isinstance(event, SyncCompleted | SyncFailed):
                found[(event.run_id, event.attempt)].add(event.event_id)
        return found

    def outcome(self, run_id: uuid.UUID) -> SyncCompleted | SyncFailed | None:
        """The outcome of the run's latest attempt seen so far."""
        found = [e for e in self.of(run_id) if isinstance(e, SyncCompleted | SyncFailed)]
        return max(found, key=lambda e: e.attempt) if found else None


def worker_env(worker_settings: SyncWorkerSettings) -> dict[str, str]:
    """The same settings as CMIS_* variables, for a ``cmis-sync-worker`` subprocess."""
    s = worker_settings
    env = {
        "CMIS_ENVIRONMENT": s.environment,
        "CMIS_DATABASE_URL": s.database_url,
        "CMIS_RABBIT_URL": s.rabbit_url,
        "CMIS_REDIS_URL": s.redis_url,
        "CMIS_NAMESPACE": s.namespace,
        "CMIS_OUTBOX_POLL_SECONDS": str(s.outbox_poll_seconds),
        "CMIS_OUTBOX_LEASE_SECONDS": str(s.outbox_lease_seconds),
        "CMIS_LIMITER_LEASE_SECONDS": str(s.limiter_lease_seconds),
        "CMIS_GRACEFUL_TIMEOUT_SECONDS": str(s.graceful_timeout_seconds),
        "CMIS_PREFETCH_COUNT": str(s.prefetch_count),
        "CMIS_PLATFORM_SIM_URL": s.platform_sim_url or "",
        "CMIS_LOG_LEVEL": "WARNING",
    }
    for key, value in s.platforms.model_dump(exclude_unset=True).items():
        secret = getattr(value, "get_secret_value", None)
        env[f"CMIS_PLATFORMS__{key.upper()}"] = secret() if secret else str(value)
    return env
