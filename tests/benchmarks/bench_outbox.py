"""Outbox relay throughput: events staged in PostgreSQL to confirmed persistent publishes,
beside the raw confirmed-publish rate of aio-pika on the same broker in the same run."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import NamedTuple

import aio_pika
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy import text

from cmis_shared.events import SyncRequested
from cmis_shared.runtime import ServiceRuntime
from cmis_shared.uow import UnitOfWork
from tests.benchmarks.common import BenchResult, print_results
from tests.benchmarks.support import scratch_settings


class RawPublish(NamedTuple):
    rate: float  # confirmed publishes per second
    client_cpu_us: float  # CPU of this (client) process per confirmed publish


async def raw_publish_rate(rabbit_url: str, exchange_name: str, count: int) -> RawPublish:
    """aio-pika, persistent messages with publisher confirms, 200 in flight."""
    connection = await aio_pika.connect_robust(rabbit_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(exchange_name)
        body = b"x" * 400
        in_flight = asyncio.Semaphore(200)

        async def one() -> None:
            async with in_flight:
                await exchange.publish(
                    aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                    routing_key="sync.requested",  # same queues as the relay's
                )

        started, cpu_started = time.perf_counter(), time.process_time()
        await asyncio.gather(*(one() for _ in range(count)))
        cpu = time.process_time() - cpu_started
        return RawPublish(count / (time.perf_counter() - started), cpu * 1e6 / count)


async def _pending(runtime: ServiceRuntime) -> int:
    async with runtime.sessions() as session:
        return int((await session.execute(text("SELECT count(*) FROM outbox"))).scalar_one())


async def run(scale: float = 1.0) -> list[BenchResult]:
    count = max(200, int(20_000 * scale))
    async with scratch_settings(outbox_batch_size=500) as settings:
        runtime = ServiceRuntime(settings, TracerProvider())
        await runtime.connect()
        org = uuid.uuid4()
        events = [
            SyncRequested(
                org_id=org,
                run_id=uuid.uuid4(),
                integration_id=uuid.uuid4(),
                platform="google",
                data_type="metrics",
                trigger="scheduled",
                attempt=1,
            )
            for _ in range(count)
        ]
        async with UnitOfWork(runtime.sessions) as uow:
            await uow.publish(*events)
            await uow.commit()
        # Park the messages in a queue nobody consumes: only publishing is measured.
        started = time.perf_counter()
        relay = asyncio.create_task(runtime.relay.run())
        while await _pending(runtime):  # noqa: ASYNC110 - polling the database, not an event
            await asyncio.sleep(0.02)
        relay.cancel()
        relay_rate = count / (time.perf_counter() - started)
        raw = await raw_publish_rate(settings.rabbit_url, runtime.topology.exchange.name, count)
        await runtime.dispose()
    return [
        BenchResult(
            "outbox relay: staged events published (confirmed, persistent)",
            relay_rate,
            "events/s",
            "feeds the scheduler goal (100k in < 10 s)",
            raw.rate,
            "raw aio-pika confirmed publish, 200 in flight",
        ),
        # What one confirmed message costs the publishing process: the floor under every
        # event a service emits (a sync emits two and consumes one).
        BenchResult(
            "aio-pika client CPU per confirmed publish (raw, 200 in flight)",
            raw.client_cpu_us,
            "us",
            "-",
        ),
    ]


if __name__ == "__main__":
    print_results(asyncio.run(run()))
