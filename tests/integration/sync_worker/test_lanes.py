"""The worker's request lanes on the real broker: with the scheduled lane backed up and every
slot of the priority gate busy, a manual request is started before the scheduled requests
still waiting; and a retry before a scheduled one."""

from __future__ import annotations

import asyncio
import uuid

import aio_pika
import pytest
from opentelemetry.sdk.trace import TracerProvider

from cmis_shared.events import SyncRequested, SyncTrigger
from cmis_shared.priority_gate import PriorityGate
from cmis_shared.runtime import ServiceRuntime
from cmis_shared.settings import CmisSettings
from cmis_shared.topology import REQUEST_LANES, event_routing_key
from cmis_sync_worker.subscribers import subscribe
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

SLOTS = 2
BACKLOG = 20
SCHEDULED_RANK = REQUEST_LANES.index(SyncTrigger.SCHEDULED)  # the gate's rank of its lane


def _request(trigger: SyncTrigger) -> SyncRequested:
    return SyncRequested(
        org_id=uuid.uuid4(), run_id=uuid.uuid4(), integration_id=uuid.uuid4(),
        platform="linkedin", data_type="posts", trigger=trigger, attempt=1,
    )  # fmt: skip


class SlowSyncs:
    """Stands in for the handler: records the order syncs start in; each holds its slot
    until the test lets one finish (``finish.release()``)."""

    def __init__(self) -> None:
        self.started: list[SyncTrigger] = []
        self.finish = asyncio.Semaphore(0)

    async def __call__(self, request: SyncRequested) -> None:
        self.started.append(request.trigger)
        await self.finish.acquire()


async def test_higher_lanes_start_before_the_waiting_backlog(
    settings: CmisSettings, tracer_provider: TracerProvider
) -> None:
    runtime = ServiceRuntime(settings.model_copy(update={"prefetch_count": SLOTS}), tracer_provider)
    await runtime.connect()
    syncs = SlowSyncs()
    gate = PriorityGate(SLOTS)
    subscribe(runtime, syncs, gate)
    try:
        connection = await aio_pika.connect(settings.rabbit_url)
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            exchange = await channel.get_exchange(runtime.topology.exchange.name)

            async def publish(request: SyncRequested) -> None:
                message = aio_pika.Message(request.to_json(), message_id=str(request.event_id))
                await exchange.publish(message, routing_key=event_routing_key(request))

            for _ in range(BACKLOG):
                await publish(_request(SyncTrigger.SCHEDULED))
            await runtime.broker.start()
            await eventually(lambda: len(syncs.started) == SLOTS)  # the backlog holds every slot
            await publish(_request(SyncTrigger.BACKFILL))
            await publish(_request(SyncTrigger.RETRY))
            await publish(_request(SyncTrigger.MANUAL))
            await eventually(lambda: gate.waiting() == 3)  # all three delivered, at the gate
            assert syncs.started == [SyncTrigger.SCHEDULED] * SLOTS

            for step in range(1, 4):  # free one slot at a time
                if step > 1:
                    # The backlog's sync that finished last step was acked, and the broker
                    # sends its lane's next request: it must be at the gate, competing with
                    # the backfill, before the slot it may win is freed.
                    await eventually(lambda: gate.waiting(SCHEDULED_RANK) >= 1)
                syncs.finish.release()
                await eventually(lambda: len(syncs.started) == SLOTS + step)  # noqa: B023
            assert syncs.started[SLOTS:] == [
                SyncTrigger.MANUAL,
                SyncTrigger.RETRY,
                SyncTrigger.SCHEDULED,  # the backlog before any backfill
            ]
    finally:
        for _ in range(BACKLOG + 3):
            syncs.finish.release()
        await runtime.stop_background()
        await runtime.dispose()
