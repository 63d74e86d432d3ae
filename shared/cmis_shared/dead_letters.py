"""The dead-letter queue as something to act on: list, show, replay and purge its messages.

Browsing takes messages without acking them and returns the ones it does not act on
(``reject(requeue=True)``) at the end, so each message is seen once per pass and none is lost
if the process dies (the broker requeues unacked messages). Replay publishes a message to the
events exchange with its original routing key (confirmed), then acks it off the queue; every
queue bound to that key receives it again, and their inboxes make that harmless.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage

from cmis_shared.consumer import (
    ATTEMPTS_HEADER,
    DEAD_LETTERED_AT_HEADER,
    REASON_HEADER,
    ROUTING_KEY_HEADER,
    SOURCE_QUEUE_HEADER,
)
from cmis_shared.topology import Topology

# Headers of the dead-lettering, dropped on replay: the message starts afresh.
_DEAD_LETTER_HEADERS = (
    ATTEMPTS_HEADER,
    REASON_HEADER,
    SOURCE_QUEUE_HEADER,
    DEAD_LETTERED_AT_HEADER,
)


@dataclass(frozen=True)
class DeadLetter:
    id: str
    routing_key: str
    source_queue: str
    reason: str
    dead_lettered_at: str
    body: bytes
    headers: dict[str, Any]

    @classmethod
    def of(cls, message: AbstractIncomingMessage) -> DeadLetter:
        headers = dict(message.headers or {})

        def text(name: str) -> str:
            value = headers.get(name)
            return value.decode() if isinstance(value, bytes) else str(value or "")

        return cls(
            id=message.message_id or "",
            routing_key=text(ROUTING_KEY_HEADER),
            source_queue=text(SOURCE_QUEUE_HEADER),
            reason=text(REASON_HEADER),
            dead_lettered_at=text(DEAD_LETTERED_AT_HEADER),
            body=message.body,
            headers=headers,
        )


async def dead_letter_depth(channel: AbstractChannel, topology: Topology) -> int:
    queue = await channel.declare_queue(topology.dead_letter_queue.name, passive=True)
    return int(queue.declaration_result.message_count or 0)


class DeadLetters:
    def __init__(self, channel: AbstractChannel, topology: Topology, timeout: float = 10.0):
        self._channel = channel
        self._topology = topology
        self._timeout = timeout

    async def list_all(self, limit: int = 1000) -> list[DeadLetter]:
        seen, _ = await self._browse(lambda _letter: False, limit)
        return seen

    async def show(self, message_id: str) -> DeadLetter | None:
        _, found = await self._browse(lambda letter: letter.id == message_id, None)
        return found[0] if found else None

    async def replay(self, select: Callable[[DeadLetter], bool]) -> list[DeadLetter]:
        exchange = await self._channel.get_exchange(self._topology.exchange.name)
        replayed: list[DeadLetter] = []

        async def republish(letter: DeadLetter, message: AbstractIncomingMessage) -> None:
            headers = {k: v for k, v in letter.headers.items() if k not in _DEAD_LETTER_HEADERS}
            await exchange.publish(
                aio_pika.Message(
                    letter.body,
                    headers=headers,
                    content_type=message.content_type,
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    priority=message.priority,
                    correlation_id=message.correlation_id,
                    message_id=message.message_id,
                    timestamp=message.timestamp or datetime.now().astimezone(),
                    type=message.type,
                ),
                routing_key=letter.routing_key,
                mandatory=True,
                timeout=self._timeout,
            )
            await message.ack()
            replayed.append(letter)

        await self._browse(select, None, act=republish)
        return replayed

    async def purge(self) -> int:
        queue = await self._channel.declare_queue(
            self._topology.dead_letter_queue.name, passive=True
        )
        result = await queue.purge()
        return int(result.message_count or 0)

    async def _browse(
        self,
        select: Callable[[DeadLetter], bool],
        limit: int | None,
        act: Any = None,
    ) -> tuple[list[DeadLetter], list[DeadLetter]]:
        """Walk the queue once: for a selected message call ``act`` (which acks it), else keep
        it. Returns what it saw and what it selected."""
        queue = await self._channel.declare_queue(
            self._topology.dead_letter_queue.name, passive=True
        )
        total = int(queue.declaration_result.message_count or 0)
        held: list[AbstractIncomingMessage] = []
        seen: list[DeadLetter] = []
        selected: list[DeadLetter] = []
        try:
            for _ in range(total if limit is None else min(total, limit)):
                message = await queue.get(no_ack=False, fail=False, timeout=self._timeout)
                if message is None:
                    break
                letter = DeadLetter.of(message)
                seen.append(letter)
                if select(letter):
                    selected.append(letter)
                    if act is not None:
                        await act(letter, message)
                        continue
                held.append(message)
        finally:
            for message in held:
                await message.reject(requeue=True)
        return seen, selected
