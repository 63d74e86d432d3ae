"""A deployment from before every queue was a quorum queue: its classic request queue (with
priorities) and classic dead-letter queue still hold messages when the new version starts."""

from __future__ import annotations

import uuid

import aio_pika
import pytest
from aio_pika.exceptions import ChannelNotFoundEntity
from opentelemetry.sdk.trace import TracerProvider

from cmis_shared.events import SyncRequested, SyncTrigger, parse_event
from cmis_shared.queue_migration import classic_queues
from cmis_shared.runtime import ServiceRuntime
from cmis_shared.settings import CmisSettings
from cmis_shared.topology import Topology

pytestmark = pytest.mark.integration


def _request(trigger: SyncTrigger) -> SyncRequested:
    return SyncRequested(
        org_id=uuid.uuid4(), run_id=uuid.uuid4(), integration_id=uuid.uuid4(),
        platform="meta", data_type="campaigns", trigger=trigger, attempt=1,
    )  # fmt: skip


async def _old_deployment(settings: CmisSettings, *messages: SyncRequested) -> None:
    """The earlier topology, as it declared itself, with messages waiting."""
    topology = Topology(settings.namespace)
    requests, dead_letters = classic_queues(topology)
    connection = await aio_pika.connect(settings.rabbit_url)
    async with connection:
        channel = await connection.channel()
        events = await channel.declare_exchange(
            topology.exchange.name, aio_pika.ExchangeType.TOPIC, durable=True
        )
        dlx = await channel.declare_exchange(
            topology.dead_letter_exchange.name, aio_pika.ExchangeType.FANOUT, durable=True
        )
        old_requests = await channel.declare_queue(
            requests.name,
            durable=True,
            arguments={"x-max-priority": 3, "x-dead-letter-exchange": dlx.name},
        )
        await old_requests.bind(events, "sync.requested")
        old_dead = await channel.declare_queue(dead_letters.name, durable=True)
        await old_dead.bind(dlx, "")
        for message in messages:
            await events.publish(
                aio_pika.Message(message.to_json(), message_id=str(message.event_id)),
                routing_key="sync.requested",
            )
        await dlx.publish(
            aio_pika.Message(b"not an event", headers={"x-cmis-dead-letter-reason": "bad"}),
            routing_key="",
        )


async def _take_all(channel: aio_pika.abc.AbstractChannel, name: str) -> list[bytes]:
    queue = await channel.declare_queue(name, passive=True)
    bodies = []
    while (message := await queue.get(fail=False)) is not None:
        await message.ack()
        bodies.append(message.body)
    return bodies


async def test_messages_of_the_classic_queues_move_to_their_quorum_successors(
    settings: CmisSettings, tracer_provider: TracerProvider
) -> None:
    manual, scheduled = _request(SyncTrigger.MANUAL), _request(SyncTrigger.SCHEDULED)
    await _old_deployment(settings, manual, scheduled)

    runtime = ServiceRuntime(settings, tracer_provider)
    await runtime.connect()
    try:
        topology = runtime.topology
        connection = await aio_pika.connect(settings.rabbit_url)
        async with connection:
            channel = await connection.channel()
            lanes = {
                lane: await _take_all(channel, topology.lane_queue("sync-worker", lane).name)
                for lane in ("manual", "retry", "scheduled", "backfill")
            }
            assert [parse_event(b) for b in lanes["manual"]] == [manual]
            assert [parse_event(b) for b in lanes["scheduled"]] == [scheduled]
            assert lanes["retry"] == lanes["backfill"] == []
            assert await _take_all(channel, topology.dead_letter_queue.name) == [b"not an event"]
        for classic in classic_queues(topology):
            connection = await aio_pika.connect(settings.rabbit_url)
            async with connection:
                channel = await connection.channel()
                with pytest.raises(ChannelNotFoundEntity):
                    await channel.declare_queue(classic.name, passive=True)
    finally:
        await runtime.stop_background()
        await runtime.dispose()


async def test_a_start_without_classic_queues_moves_nothing(
    settings: CmisSettings, tracer_provider: TracerProvider
) -> None:
    runtime = ServiceRuntime(settings, tracer_provider)
    await runtime.connect()  # nothing to move: the passive declares find nothing
    try:
        assert await runtime.broker.ping(timeout=5)
    finally:
        await runtime.stop_background()
        await runtime.dispose()
