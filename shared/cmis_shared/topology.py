"""The broker topology, declared once: one durable topic exchange for every event (routing key =
event type), one queue per consuming service, and a dead-letter exchange and queue.

Every service declares the whole topology at start-up (declaring is idempotent), so every
event type is routable whichever services happen to be running.

Queue types: the sync-worker's request queue is a classic queue with priorities, because a
manual sync must overtake a backlog of scheduled ones and RabbitMQ 3.10 quorum queues have no
priorities. The other queues are quorum queues with a delivery limit, so a poison message
ends in the dead-letter queue instead of a crash loop. Both are valid on RabbitMQ 3.10 and 4.x.
"""

from __future__ import annotations

from dataclasses import dataclass

from faststream.rabbit import ExchangeType, QueueType, RabbitBroker, RabbitExchange, RabbitQueue

from cmis_shared.events import Event, SyncRequested, SyncTrigger

MAX_PRIORITY = 3
DELIVERY_LIMIT = 5


@dataclass(frozen=True)
class ServiceQueue:
    suffix: str
    routing_keys: tuple[str, ...]
    prioritized: bool = False


SERVICE_QUEUES: dict[str, ServiceQueue] = {
    "sync-worker": ServiceQueue("sync-worker.requests", ("sync.requested",), prioritized=True),
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


_SYNC_PRIORITY = {
    SyncTrigger.MANUAL: MAX_PRIORITY,
    SyncTrigger.RETRY: 2,
    SyncTrigger.SCHEDULED: 1,
    SyncTrigger.BACKFILL: 0,
}


def message_priority(event: Event) -> int:
    """Manual syncs first, then retries, then the scheduled backlog, backfill windows last
    (a year of history must never delay the hourly freshness of anyone's data)."""
    if isinstance(event, SyncRequested):
        return _SYNC_PRIORITY[event.trigger]
    return 0


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
            f"{namespace}cmis.dead-letter", queue_type=QueueType.CLASSIC, durable=True
        )

    def queue(self, service: str) -> RabbitQueue:
        spec = SERVICE_QUEUES[service]
        arguments: dict[str, object] = {"x-dead-letter-exchange": self.dead_letter_exchange.name}
        if spec.prioritized:
            arguments["x-max-priority"] = MAX_PRIORITY
            return RabbitQueue(
                f"{self.namespace}cmis.{spec.suffix}",
                queue_type=QueueType.CLASSIC,
                durable=True,
                arguments=arguments,  # type: ignore[call-overload]
            )
        arguments["x-delivery-limit"] = DELIVERY_LIMIT
        return RabbitQueue(
            f"{self.namespace}cmis.{spec.suffix}",
            queue_type=QueueType.QUORUM,
            durable=True,
            arguments=arguments,  # type: ignore[call-overload]
        )

    def all_queue_names(self) -> list[str]:
        names = [self.queue(service).name for service in SERVICE_QUEUES]
        return [*names, self.dead_letter_queue.name]

    async def declare(self, broker: RabbitBroker) -> None:
        """Declare exchanges, every service queue and their bindings (idempotent)."""
        exchange = await broker.declare_exchange(self.exchange)
        dead_letter_exchange = await broker.declare_exchange(self.dead_letter_exchange)
        dead_letter_queue = await broker.declare_queue(self.dead_letter_queue)
        await dead_letter_queue.bind(dead_letter_exchange, routing_key="")
        for service, spec in SERVICE_QUEUES.items():
            queue = await broker.declare_queue(self.queue(service))
            for routing_key in spec.routing_keys:
                await queue.bind(exchange, routing_key=routing_key)
