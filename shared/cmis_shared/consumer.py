"""The entry of every service's event queue: parse, dispatch to a typed handler, ack.

- A body that is not a valid event goes to the dead-letter queue with the reason in its
  headers, and the consumer keeps running.
- Events the service has no handler for are acked and ignored.
- A handler that raises is retried by redelivery (the message is nacked back to the queue
  after a short pause); once a message has failed ``max_deliveries`` times it is dead-lettered
  with the error, never a crash loop.
- The ack comes after the handler returned, i.e. after its database commit: a crash before
  that redelivers, and handlers are idempotent (the inbox in :mod:`cmis_shared.uow`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import structlog
from faststream.rabbit import RabbitBroker
from faststream.rabbit.annotations import RabbitMessage
from prometheus_client import CollectorRegistry

from cmis_shared.consumer_metrics import ConsumerMetrics
from cmis_shared.events import Event, EventParseError, parse_event, utc_now
from cmis_shared.topology import Topology

Handler = Callable[[Any], Awaitable[None]]
log = structlog.get_logger(__name__)

REASON_HEADER = "x-cmis-dead-letter-reason"


def delivery_count(message: RabbitMessage) -> int:
    """How many times this message was delivered before (quorum queues count for us)."""
    counted = message.headers.get("x-delivery-count")
    if isinstance(counted, int):
        return counted
    return 1 if message.raw_message.redelivered else 0


class EventConsumer:
    def __init__(
        self,
        broker: RabbitBroker,
        topology: Topology,
        service: str,
        handlers: Mapping[type[Event], Handler],
        *,
        max_deliveries: int = 3,
        retry_pause_seconds: float = 0.5,
        metrics: CollectorRegistry | None = None,
    ) -> None:
        self._broker = broker
        self._topology = topology
        self._service = service
        self._handlers = dict(handlers)
        self._max_deliveries = max_deliveries
        self._retry_pause_seconds = retry_pause_seconds
        self.queue = topology.queue(service)
        self._metrics = ConsumerMetrics(metrics, service) if metrics is not None else None
        broker.subscriber(self.queue, title=f"{service} events")(self._consume)

    async def _consume(self, message: RabbitMessage) -> None:
        try:
            event = parse_event(message.body)
        except EventParseError as error:
            self._count("unparsable", "dead_lettered")
            await self.dead_letter(message, error.reason)
            return
        handler = self._handlers.get(type(event))
        if handler is None:
            self._count(event.event_type, "ignored")
            await message.ack()
            return
        started = time.monotonic()
        if self._metrics is not None:
            lag = (utc_now() - event.occurred_at).total_seconds()
            self._metrics.lag.labels(self._service, event.event_type).observe(max(lag, 0.0))
        with structlog.contextvars.bound_contextvars(
            correlation_id=str(event.correlation_id),
            org_id=str(event.org_id),
            event_type=event.event_type,
            event_id=str(event.event_id),
        ):
            try:
                await handler(event)
            except asyncio.CancelledError:
                await message.nack(requeue=True)
                raise
            except Exception as error:  # noqa: BLE001 - the boundary: retried, then dead-lettered
                outcome = await self._retry_or_dead_letter(message, error)
                self._count(event.event_type, outcome)
                return
        await message.ack()
        if self._metrics is not None:
            self._count(event.event_type, "handled")
            self._metrics.handling.labels(self._service, event.event_type).observe(
                time.monotonic() - started
            )

    def _count(self, event_type: str, outcome: str) -> None:
        if self._metrics is not None:
            self._metrics.count(event_type, outcome)

    async def _retry_or_dead_letter(self, message: RabbitMessage, error: Exception) -> str:
        deliveries = delivery_count(message) + 1
        if deliveries >= self._max_deliveries:
            log.exception("handler failed; dead-lettering", deliveries=deliveries)
            await self.dead_letter(message, f"handler failed {deliveries} times: {error!r}")
            return "dead_lettered"
        log.exception("handler failed; will be redelivered", deliveries=deliveries)
        await asyncio.sleep(self._retry_pause_seconds)
        await message.nack(requeue=True)
        return "retried"

    async def dead_letter(self, message: RabbitMessage, reason: str) -> None:
        """Park the message, untouched, in the dead-letter queue with why; then ack it."""
        log.warning("dead-lettering message", reason=reason, message_id=message.message_id)
        raw = message.raw_message
        await self._broker.publish(
            message.body,
            exchange=self._topology.dead_letter_exchange,
            persist=True,
            message_id=message.message_id,
            correlation_id=message.correlation_id,
            content_type=raw.content_type,
            headers={
                **{k: v for k, v in message.headers.items() if not k.startswith("x-")},
                REASON_HEADER: reason[:1000],
                "x-cmis-source-queue": self.queue.name,
                "x-cmis-routing-key": raw.routing_key or "",
            },
        )
        await message.ack()
