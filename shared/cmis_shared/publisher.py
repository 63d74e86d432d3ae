"""Confirmed publishing of staged events, straight through aio-pika.

The outbox relay is the only publisher of events, so it is the hot path of every service
that emits them. FastStream's ``broker.publish`` wraps each message in a command object, a
"create" and a "publish" span, Prometheus observations and its logging, which halved the
relay's rate against aio-pika alone on the same broker. Here each message costs one aio-pika
publish and one producer span named and attributed as FastStream names its own, so traces
and consumers cannot tell the difference.

Its own connection keeps the relay's publishing off the channel the consumers use, and a
robust connection reconnects by itself (to any node of a cluster: :mod:`cmis_shared.amqp`);
a publish during an outage raises, and the relay leaves the row to be published again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractRobustConnection
from opentelemetry import propagate, trace
from opentelemetry.semconv.trace import SpanAttributes

from cmis_shared.amqp import connect_any


class PublisherNotConnectedError(RuntimeError):
    """publish() was called before connect() or after close()."""


class EventPublisher:
    def __init__(
        self,
        rabbit_urls: Sequence[str],
        exchange_name: str,
        tracer: trace.Tracer,
        app_id: str,
        *,
        publish_timeout_seconds: float | None = None,
    ):
        self._publish_timeout = publish_timeout_seconds
        self._rabbit_urls = tuple(rabbit_urls)
        self._exchange_name = exchange_name
        self._tracer = tracer
        self._app_id = app_id
        self._span_prefix = f"{exchange_name}."
        self._connection: AbstractRobustConnection | None = None
        self._exchange: AbstractExchange | None = None

    async def connect(self) -> None:
        """After the topology is declared: the exchange must exist."""
        self._connection = await connect_any(self._rabbit_urls)
        channel = await self._connection.channel(publisher_confirms=True, on_return_raises=True)
        self._exchange = await channel.get_exchange(self._exchange_name, ensure=True)

    async def open_channel(self) -> AbstractChannel:
        """A channel of its own on the publisher's connection (queue depths, dead letters), so
        an error there (a missing queue closes the channel) never touches publishing."""
        if self._connection is None:
            raise PublisherNotConnectedError(self._exchange_name)
        return await self._connection.channel()

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
        self._connection = self._exchange = None

    async def publish(
        self,
        body: bytes,
        *,
        routing_key: str,
        message_id: str,
        correlation_id: str,
        priority: int | None,
        timestamp: datetime,
        trace_headers: dict[str, Any],
    ) -> None:
        """Persistent and mandatory; returns once the broker confirmed it (an unroutable
        message raises ``aio_pika.exceptions.DeliveryError``, no confirm within
        ``publish_timeout_seconds`` ``TimeoutError``).

        The runtime's relay passes no timeout: aiormq's timeout also counts the wait for the
        channel lock, so a batch of 200 concurrent publishes on a loaded host timed out
        (10 s), was released and published again, and the relay fell behind for good
        (test_kill_worker). The relay bounds the whole batch instead
        (``outbox_batch_deadline_seconds``)."""
        if self._exchange is None:
            raise PublisherNotConnectedError(self._exchange_name)
        parent = propagate.extract(trace_headers)
        with self._tracer.start_as_current_span(
            self._span_prefix + routing_key + " publish",
            context=parent,
            kind=trace.SpanKind.PRODUCER,
            attributes={
                SpanAttributes.MESSAGING_SYSTEM: "rabbitmq",
                SpanAttributes.MESSAGING_DESTINATION_NAME: self._exchange_name,
                SpanAttributes.MESSAGING_RABBITMQ_DESTINATION_ROUTING_KEY: routing_key,
                SpanAttributes.MESSAGING_MESSAGE_ID: message_id,
                SpanAttributes.MESSAGING_MESSAGE_CONVERSATION_ID: correlation_id,
                SpanAttributes.MESSAGING_OPERATION: "publish",
            },
        ):
            headers: dict[str, Any] = {}
            propagate.inject(headers)  # the consumer's span becomes a child of this one
            await self._exchange.publish(
                aio_pika.Message(
                    body,
                    headers=headers,
                    content_type="application/json",
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    priority=priority,
                    correlation_id=correlation_id,
                    message_id=message_id,
                    timestamp=timestamp,
                    type=routing_key,
                    app_id=self._app_id,
                ),
                routing_key=routing_key,
                mandatory=True,
                timeout=self._publish_timeout,
            )
