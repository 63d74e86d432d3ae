"""Running the alerting service against the real broker and database, feeding it events
and watching what it announces."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aio_pika
from sqlalchemy import select

from cmis_alerting.bootstrap import AlertingService
from cmis_shared.db.models import Alert, AlertHistory, ProcessedEvent
from cmis_shared.events import AlertRaised, AlertResolved, Event, parse_event
from cmis_shared.settings import CmisSettings
from tests.support.waiting import eventually


class AlertCapture:
    """A queue of our own bound to ``alert.*``: every AlertRaised/AlertResolved published,
    kept when it is about one of ``org_ids`` (other tests' leftovers may pass by)."""

    def __init__(self, org_ids: set[uuid.UUID]) -> None:
        self.org_ids = org_ids
        self.events: list[AlertRaised | AlertResolved] = []

    def _on_message(self, body: bytes) -> None:
        event = parse_event(body)
        if isinstance(event, AlertRaised | AlertResolved) and event.org_id in self.org_ids:
            self.events.append(event)

    async def wait_for(self, count: int) -> list[AlertRaised | AlertResolved]:
        await eventually(lambda: len(self.events) >= count)
        await asyncio.sleep(0.3)  # and nothing more than expected follows
        assert len(self.events) == count, [e.event_type for e in self.events]
        return self.events


@asynccontextmanager
async def capture_alerts(
    settings: CmisSettings, exchange_name: str, org_ids: set[uuid.UUID]
) -> AsyncIterator[AlertCapture]:
    capture = AlertCapture(org_ids)
    connection = await aio_pika.connect_robust(settings.rabbit_url)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.declare_exchange(
            exchange_name, aio_pika.ExchangeType.TOPIC, durable=True
        )
        queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        await queue.bind(exchange, routing_key="alert.*")

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            async with message.process():
                capture._on_message(message.body)

        await queue.consume(on_message)
        yield capture


async def deliver(service: AlertingService, event: Event) -> None:
    """Publish ``event`` as its producer's relay would, and wait until alerting applied it."""
    runtime = service.runtime
    await runtime.broker.publish(
        event.to_json(), exchange=runtime.topology.exchange, routing_key=event.routing_key,
        persist=True, message_id=str(event.event_id), correlation_id=str(event.correlation_id),
    )  # fmt: skip
    await eventually(lambda: _processed(service, event.event_id))


async def _processed(service: AlertingService, event_id: uuid.UUID) -> bool:
    async with service.runtime.sessions() as session:
        statement = select(ProcessedEvent).where(
            ProcessedEvent.consumer == "alerting", ProcessedEvent.event_id == event_id
        )
        return (await session.execute(statement)).first() is not None


async def alerts_of(service: AlertingService, org_id: uuid.UUID) -> list[Alert]:
    async with service.runtime.sessions() as session:
        statement = select(Alert).where(Alert.org_id == org_id).order_by(Alert.first_seen_at)
        return list((await session.execute(statement)).scalars().all())


async def history_of(service: AlertingService, alert_id: uuid.UUID) -> list[tuple[str, Any]]:
    """(action, cause_event_id) in the order they happened."""
    async with service.runtime.sessions() as session:
        statement = (
            select(AlertHistory.action, AlertHistory.cause_event_id)
            .where(AlertHistory.alert_id == alert_id)
            .order_by(AlertHistory.id)
        )
        return [tuple(row) for row in (await session.execute(statement)).all()]
