"""The entry of every service's event queue: parse, dispatch to a typed handler, ack.

- A body that is not a valid event goes to the dead-letter queue with the reason in its
  headers, and the consumer keeps running.
- Events the service has no handler for are acked and ignored.
- A handler failing on an infrastructure error (:mod:`cmis_shared.failures`: database,
  broker, Redis, timeouts) is called again on the same delivery after a capped exponential
  pause, until it succeeds: an outage never dead-letters a message, and since nothing is
  nacked, a quorum queue's own delivery limit is not spent either.
- A handler failing on anything else (the message or its data) counts one attempt: the
  message is republished to the same queue with ``x-cmis-attempts`` + 1 (confirmed, keeping
  its priority, id and headers) and the original acked; after ``max_deliveries`` attempts it
  is dead-lettered with the error. We count, on every queue type alike (a quorum queue's
  ``x-delivery-count`` counts only redeliveries, not our republished copies).
- The ack comes after the handler returned, i.e. after its database commit: a crash before
  that redelivers, and handlers are idempotent (the inbox in :mod:`cmis_shared.uow`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Any

import structlog
from faststream._internal.context import Context as ContextField
from faststream.rabbit import RabbitBroker, RabbitQueue
from faststream.rabbit.message import RabbitMessage
from prometheus_client import CollectorRegistry

from cmis_shared.backoff import backoff_seconds
from cmis_shared.consumer_metrics import ConsumerMetrics
from cmis_shared.events import Event, EventParseError, parse_event, utc_now
from cmis_shared.failures import is_infrastructure_error
from cmis_shared.topology import Topology

Handler = Callable[[Any], Awaitable[None]]
log = structlog.get_logger(__name__)

REASON_HEADER = "x-cmis-dead-letter-reason"
ATTEMPTS_HEADER = "x-cmis-attempts"
ROUTING_KEY_HEADER = "x-cmis-routing-key"
SOURCE_QUEUE_HEADER = "x-cmis-source-queue"
DEAD_LETTERED_AT_HEADER = "x-cmis-dead-lettered-at"


class _MessageContext(ContextField):
    """FastStream's ``Context("message")`` with an async ``use``: FastDepends runs a custom
    field's plain ``use`` in a worker thread, a thread hop (and a wake-up of the event loop)
    for every message, about a tenth of the sync worker's CPU per sync. (The class behind
    ``faststream.Context``, which is a function; internal to FastStream 0.7.)"""

    async def use(self, /, **kwargs: Any) -> dict[str, Any]:  # type: ignore[override]
        return super().use(**kwargs)


IncomingMessage = Annotated[RabbitMessage, _MessageContext("message")]


def delivery_count(message: RabbitMessage) -> int:
    """How many attempts of this message failed before: our own count, or a quorum queue's
    when it is higher (a consumer that died mid-handling)."""
    ours = message.headers.get(ATTEMPTS_HEADER)
    quorum = message.headers.get("x-delivery-count")
    return max(ours if isinstance(ours, int) else 0, quorum if isinstance(quorum, int) else 0)


def original_routing_key(message: RabbitMessage) -> str:
    """The event's routing key, also after a republish straight to the queue."""
    kept = message.headers.get(ROUTING_KEY_HEADER)
    return kept if isinstance(kept, str) and kept else message.raw_message.routing_key or ""


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
        infra_retry_max_seconds: float = 30.0,
        publish_timeout_seconds: float = 10.0,
        metrics: CollectorRegistry | None = None,
        queue: RabbitQueue | None = None,
    ) -> None:
        """``queue``: one of the service's queues (a lane); by default its only one."""
        self._broker = broker
        self._topology = topology
        self._service = service
        self._handlers = dict(handlers)
        self._max_deliveries = max_deliveries
        self._retry_pause_seconds = retry_pause_seconds
        self._infra_retry_max_seconds = infra_retry_max_seconds
        self._publish_timeout = publish_timeout_seconds
        self.queue = queue or topology.queue(service)
        self._metrics = ConsumerMetrics(metrics, service) if metrics is not None else None
        title = f"{service} events" if queue is None else self.queue.name
        self.subscriber = broker.subscriber(self.queue, title=title)
        self.subscriber(self._consume)

    @property
    def running(self) -> bool:
        return bool(self.subscriber.running)

    async def _consume(self, message: IncomingMessage) -> None:
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
                await self._handle(handler, event)
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

    async def _handle(self, handler: Handler, event: Event) -> None:
        """Call the handler; on an infrastructure error, again after a capped pause."""
        failures = 0
        while True:
            try:
                await handler(event)
                return
            except Exception as error:
                if not is_infrastructure_error(error):
                    raise
                failures += 1
                if failures == 1:
                    log.warning("handler hit an infrastructure error; retrying", exc_info=error)
                self._count(event.event_type, "infra_retried")
            pause = backoff_seconds(
                failures, max(self._retry_pause_seconds, 0.01), self._infra_retry_max_seconds
            )
            await asyncio.sleep(pause)

    def _count(self, event_type: str, outcome: str) -> None:
        if self._metrics is not None:
            self._metrics.count(event_type, outcome)

    async def _retry_or_dead_letter(self, message: RabbitMessage, error: Exception) -> str:
        attempts = delivery_count(message) + 1
        if attempts >= self._max_deliveries:
            log.exception("handler failed; dead-lettering", attempts=attempts)
            await self.dead_letter(message, f"handler failed {attempts} times: {error!r}")
            return "dead_lettered"
        log.exception("handler failed; will be tried again", attempts=attempts)
        await asyncio.sleep(self._retry_pause_seconds)
        await self._republish(message, attempts)
        return "retried"

    async def _republish(self, message: RabbitMessage, attempts: int) -> None:
        """Back to the tail of the same queue with the attempt counted, then ack: a crash in
        between delivers it twice, which the inbox absorbs."""
        await self._publish_copy(
            message,
            {
                **{k: v for k, v in message.headers.items() if k != "x-delivery-count"},
                ATTEMPTS_HEADER: attempts,
                ROUTING_KEY_HEADER: original_routing_key(message),
            },
            queue=self.queue.name,
        )
        await message.ack()

    async def _publish_copy(
        self, message: RabbitMessage, headers: dict[str, Any], **destination: Any
    ) -> None:
        """The message's body and properties, persistent and confirmed, with new headers."""
        raw = message.raw_message
        await self._broker.publish(
            message.body,
            persist=True,
            timeout=self._publish_timeout,
            message_id=message.message_id,
            correlation_id=message.correlation_id,
            content_type=raw.content_type,
            priority=raw.priority,
            timestamp=raw.timestamp,
            message_type=raw.type,
            headers=headers,
            **destination,
        )

    async def dead_letter(self, message: RabbitMessage, reason: str) -> None:
        """Park the message, untouched, in the dead-letter queue with why; then ack it."""
        log.warning("dead-lettering message", reason=reason, message_id=message.message_id)
        await self._publish_copy(
            message,
            {
                **{k: v for k, v in message.headers.items() if not k.startswith("x-")},
                REASON_HEADER: reason[:1000],
                SOURCE_QUEUE_HEADER: self.queue.name,
                ROUTING_KEY_HEADER: original_routing_key(message),
                DEAD_LETTERED_AT_HEADER: utc_now().isoformat(),
            },
            exchange=self._topology.dead_letter_exchange,
        )
        await message.ack()
