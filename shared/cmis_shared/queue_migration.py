"""Moving what the classic queues of an earlier deployment still hold into their quorum
successors.

A queue's type cannot change in place (declaring it again with another ``x-queue-type`` fails
with PRECONDITION_FAILED), so the quorum queues that replaced the two classic ones have new
names: the worker's priority queue ``cmis.sync-worker.requests`` became its lanes
``cmis.sync-worker.requests.<trigger>``, and ``cmis.dead-letter`` became ``cmis.dead-letters``.
At start-up every service (:meth:`cmis_shared.runtime.ServiceRuntime.connect`) looks for the old
ones; where one exists it is unbound (nothing new lands there), its messages are republished,
confirmed, to their successor (a request to its lane, a dead letter to the new dead-letter
queue, properties and headers kept) and acked, and the queue is deleted once empty and without
consumers (a worker of the old version still attached keeps it until it leaves; the next start
deletes it). Several services doing this at once compete for the messages; none is lost, and
a request moved twice is absorbed as any redelivery is.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aio_pika
import structlog
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractIncomingMessage
from aio_pika.exceptions import ChannelClosed, ChannelNotFoundEntity

from cmis_shared.events import EventParseError, parse_event
from cmis_shared.topology import SERVICE_QUEUES, Topology, event_routing_key

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class ClassicQueue:
    name: str
    exchange: str
    binding: str


def classic_queues(topology: Topology) -> list[ClassicQueue]:
    """The classic queues of the deployment before every queue was a quorum queue."""
    requests = SERVICE_QUEUES["sync-worker"]
    return [
        ClassicQueue(
            f"{topology.namespace}cmis.{requests.suffix}",
            topology.exchange.name,
            requests.routing_keys[0],
        ),
        ClassicQueue(
            f"{topology.namespace}cmis.dead-letter", topology.dead_letter_exchange.name, ""
        ),
    ]


def _copy(message: AbstractIncomingMessage) -> aio_pika.Message:
    return aio_pika.Message(
        message.body,
        headers=dict(message.headers),
        content_type=message.content_type,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        correlation_id=message.correlation_id,
        message_id=message.message_id,
        timestamp=message.timestamp,
        type=message.type,
        app_id=message.app_id,
    )


def _request_routing_key(message: AbstractIncomingMessage, fallback: str) -> str:
    try:
        return event_routing_key(parse_event(message.body))
    except EventParseError:
        return fallback  # the scheduled lane's consumer dead-letters it with the reason


async def _drain(
    channel: AbstractChannel, classic: ClassicQueue, topology: Topology
) -> tuple[int, bool]:
    queue = await channel.declare_queue(classic.name, passive=True)
    await queue.unbind(classic.exchange, routing_key=classic.binding)
    events: AbstractExchange = await channel.get_exchange(topology.exchange.name)
    moved = 0
    while (message := await queue.get(no_ack=False, fail=False)) is not None:
        if classic.exchange == topology.exchange.name:
            routing_key = _request_routing_key(message, classic.binding)
            await events.publish(_copy(message), routing_key=routing_key, mandatory=True)
        else:
            await channel.default_exchange.publish(
                _copy(message), routing_key=topology.dead_letter_queue.name, mandatory=True
            )
        await message.ack()
        moved += 1
    try:
        await queue.delete(if_unused=True, if_empty=True)
    except ChannelClosed:  # a consumer of the old version is still attached
        return moved, False
    return moved, True


async def migrate_classic_queues(
    open_channel: Callable[[], Awaitable[AbstractChannel]], topology: Topology
) -> dict[str, int]:
    """Move and delete the classic queues that exist; returns how many messages each gave."""
    moved: dict[str, int] = {}
    for classic in classic_queues(topology):
        # A channel each: the passive declare of a missing queue closes its channel.
        channel = await open_channel()
        try:
            count, deleted = await _drain(channel, classic, topology)
        except ChannelNotFoundEntity:
            continue  # never existed here, or already moved
        finally:
            if not channel.is_closed:
                await channel.close()
        moved[classic.name] = count
        log.info("classic queue moved to quorum", queue=classic.name, moved=count, deleted=deleted)
    return moved
