"""The dead-letter queue's depth, read with a passive declare (which returns the message
count and never creates the queue) on the broker connection the runtime already holds."""

from __future__ import annotations

from faststream.rabbit import Channel, RabbitBroker

# A channel of its own: a failed passive declare closes its channel, and the consumers'
# channel must not be the one that pays for it.
_PROBE_CHANNEL = Channel(publisher_confirms=False)


class RabbitDeadLetterQueue:
    def __init__(self, broker: RabbitBroker, name: str) -> None:
        self._broker = broker
        self.name = name

    async def depth(self) -> int:
        channel = await self._broker.config.channel_manager.get_channel(_PROBE_CHANNEL)
        # Not robust: a robust queue is re-declared on every reconnect and kept for that, and
        # this one is only read once.
        queue = await channel.declare_queue(self.name, passive=True, robust=False)
        return int(queue.declaration_result.message_count or 0)
