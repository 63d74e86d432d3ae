"""The broker topology, declared once: one durable topic exchange for every event (routing key =
event type), one queue per consuming service, and a dead-letter exchange and queue.

Every service declares the whole topology at start-up (declaring is idempotent), so every
event type is routable whichever services happen to be running.

Every queue is a quorum queue (replicated: in a cluster it survives the loss of a minority of
nodes) with a delivery limit, so a poison message ends in the dead-letter queue instead of a
crash loop. RabbitMQ 3.10 quorum queues have no priorities, yet a manual sync must overtake a
backlog of scheduled ones: the sync-worker's requests therefore travel in lanes, one quorum
queue per trigger (manual, retry, scheduled, backfill), routed by ``sync.requested.<trigger>``
(:func:`event_routing_key`), and the worker serves a higher lane first
(:class:`cmis_shared.priority_gate.PriorityGate`). Valid on RabbitMQ 3.10 and 4.x.

The queues of a deployment from before the lanes (the classic ``cmis.sync-worker.requests``
and ``cmis.dead-letter``) keep their names there: a queue's type cannot change in place, so
the quorum queues have new names and :mod:`cmis_shared.queue_migration` moves what the old
ones still hold.
"""

from __future__ import annotations

from dataclasses import dataclass

from faststream.rabbit import ExchangeType, QueueType, RabbitBroker, RabbitExchange, RabbitQueue

from cmis_shared.events import Event, SyncRequested, SyncTrigger

DELIVERY_LIMIT = 5

# The sync-worker's request lanes, in the order they are served.
REQUEST_LANES: tuple[str, ...] = (
    SyncTrigger.MANUAL,
    SyncTrigger.RETRY,
    SyncTrigger.SCHEDULED,
    SyncTrigger.BACKFILL,
)
# Where a request published without a lane (by a publisher from before the lanes) goes.
UNLANED_LANE = SyncTrigger.SCHEDULED


@dataclass(frozen=True)
class ServiceQueue:
    suffix: str
    routing_keys: tuple[str, ...]
    # One queue per lane, highest first: ``<suffix>.<lane>`` bound to ``<routing key>.<lane>``.
    lanes: tuple[str, ...] = ()


SERVICE_QUEUES: dict[str, ServiceQueue] = {
    "sync-worker": ServiceQueue("sync-worker.requests", ("sync.requested",), lanes=REQUEST_LANES),
    # Only the outcomes: every extra binding of sync.requested copies the busiest message.
    "scheduler": ServiceQueue(
        "scheduler.events",
        ("sync.completed", "sync.failed", "integration.*", "organization.settings_changed"),
    ),
    "alerting": ServiceQueue(
        "alerting.events",
        (
            "sync.completed",
            "sync.failed",
            "integration.*",
            "organization.settings_changed",
            "alerting.command",
            "notification.*",
        ),
    ),
    "dashboard-api": ServiceQueue("dashboard-api.events", ("#",)),
    "notifier": ServiceQueue("notifier.events", ("alert.raised", "alert.resolved")),
}


def event_routing_key(event: Event) -> str:
    """The routing key an event is published with: its event type, and for a sync request
    also its lane (``sync.requested.manual``), so each lane's queue receives only its own.
    Subscribers of every request bind ``sync.requested.*`` (or ``#``)."""
    if isinstance(event, SyncRequested):
        lane = event.trigger if event.trigger in REQUEST_LANES else UNLANED_LANE
        return f"{event.routing_key}.{lane}"
    return event.routing_key


def lane_bindings(spec: ServiceQueue, lane: str) -> tuple[str, ...]:
    keys = tuple(f"{key}.{lane}" for key in spec.routing_keys)
    # A request published without a lane (an older publisher mid-upgrade) is not lost.
    return (*keys, *spec.routing_keys) if lane == UNLANED_LANE else keys


class Topology:
    def __init__(self, namespace: str = "") -> None:
        self.namespace = namespace
        self.exchange = RabbitExchange(
            f"{namespace}cmis.events", type=ExchangeType.TOPIC, durable=True
        )
        self.dead_letter_exchange = RabbitExchange(
            f"{namespace}cmis.dead-letter", type=ExchangeType.FANOUT, durable=True
        )
        self.dead_letter_queue = RabbitQueue(
            f"{namespace}cmis.dead-letters", queue_type=QueueType.QUORUM, durable=True
        )

    def _queue(self, name: str) -> RabbitQueue:
        arguments: dict[str, object] = {
            "x-dead-letter-exchange": self.dead_letter_exchange.name,
            "x-delivery-limit": DELIVERY_LIMIT,
        }
        return RabbitQueue(
            f"{self.namespace}cmis.{name}",
            queue_type=QueueType.QUORUM,
            durable=True,
            arguments=arguments,  # type: ignore[call-overload]
        )

    def queue(self, service: str) -> RabbitQueue:
        """The queue of a service without lanes."""
        spec = SERVICE_QUEUES[service]
        if spec.lanes:
            raise ValueError(f"{service} consumes lanes: use queues() or lane_queue()")
        return self._queue(spec.suffix)

    def lane_queue(self, service: str, lane: str) -> RabbitQueue:
        spec = SERVICE_QUEUES[service]
        if lane not in spec.lanes:
            raise ValueError(f"{service} has no lane {lane!r}")
        return self._queue(f"{spec.suffix}.{lane}")

    def queues(self, service: str) -> list[RabbitQueue]:
        """Every queue the service consumes: one per lane (highest first), or its one queue."""
        spec = SERVICE_QUEUES[service]
        if spec.lanes:
            return [self.lane_queue(service, lane) for lane in spec.lanes]
        return [self.queue(service)]

    def bindings(self, service: str) -> list[tuple[RabbitQueue, tuple[str, ...]]]:
        spec = SERVICE_QUEUES[service]
        if spec.lanes:
            return [
                (self.lane_queue(service, lane), lane_bindings(spec, lane)) for lane in spec.lanes
            ]
        return [(self.queue(service), spec.routing_keys)]

    def all_queue_names(self) -> list[str]:
        names = [queue.name for service in SERVICE_QUEUES for queue in self.queues(service)]
        return [*names, self.dead_letter_queue.name]

    async def declare(self, broker: RabbitBroker) -> None:
        """Declare exchanges, every service queue and their bindings (idempotent)."""
        exchange = await broker.declare_exchange(self.exchange)
        dead_letter_exchange = await broker.declare_exchange(self.dead_letter_exchange)
        dead_letter_queue = await broker.declare_queue(self.dead_letter_queue)
        await dead_letter_queue.bind(dead_letter_exchange, routing_key="")
        for service in SERVICE_QUEUES:
            for spec, routing_keys in self.bindings(service):
                queue = await broker.declare_queue(spec)
                for routing_key in routing_keys:
                    await queue.bind(exchange, routing_key=routing_key)
