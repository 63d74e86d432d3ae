"""Manual priority: with 10,000 scheduled ``sync.requested`` queued in the sync-worker's
scheduled lane and the worker's own wiring draining them (a consumer per lane, the priority
gate admitting ``prefetch_count`` syncs at a time; each "sync" takes 200 ms), how long from
committing a manual request (outbox, relay, the manual lane) until the worker starts it.
Reference, same run: how long the manual request would wait in a plain FIFO queue = the
backlog still ahead of it / the measured drain rate."""

from __future__ import annotations

import asyncio
import time
import uuid

import aio_pika
from opentelemetry.sdk.trace import TracerProvider

from cmis_shared.events import SyncRequested, SyncTrigger
from cmis_shared.runtime import ServiceRuntime
from cmis_shared.uow import UnitOfWork
from cmis_sync_worker.subscribers import subscribe
from tests.benchmarks.common import BenchResult, print_results
from tests.benchmarks.support import scratch_settings

SYNC_SECONDS = 0.2


def _request(trigger: SyncTrigger) -> SyncRequested:
    return SyncRequested(
        org_id=uuid.uuid4(), run_id=uuid.uuid4(), integration_id=uuid.uuid4(),
        platform="google", data_type="metrics", trigger=trigger, attempt=1,
    )  # fmt: skip


async def _queue_backlog(rabbit_url: str, queue_name: str, count: int) -> None:
    """Scheduled requests straight into the worker's scheduled lane, confirmed."""
    connection = await aio_pika.connect_robust(rabbit_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        in_flight = asyncio.Semaphore(200)

        async def one() -> None:
            event = _request(SyncTrigger.SCHEDULED)
            async with in_flight:
                await channel.default_exchange.publish(
                    aio_pika.Message(
                        event.to_json(), message_id=str(event.event_id),
                        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    ),
                    routing_key=queue_name,
                )  # fmt: skip

        await asyncio.gather(*(one() for _ in range(count)))


class Worker:
    """Stands in for the sync-worker: every delivery is a 200 ms sync."""

    def __init__(self, steady_after: int) -> None:
        self.started = 0
        self.first_started_at = 0.0
        self.manual_started_at = 0.0
        self.steady = asyncio.Event()  # the prefetch window is full and turning over
        self.manual = asyncio.Event()
        self._steady_after = steady_after

    async def __call__(self, event: SyncRequested) -> None:
        now = time.perf_counter()
        self.first_started_at = self.first_started_at or now
        self.started += 1
        if self.started >= self._steady_after:
            self.steady.set()
        if event.trigger is SyncTrigger.MANUAL:
            self.manual_started_at = now
            self.manual.set()
        await asyncio.sleep(SYNC_SECONDS)


async def run(scale: float = 1.0) -> list[BenchResult]:
    backlog = max(300, int(10_000 * scale))
    async with scratch_settings(outbox_poll_seconds=0.2) as settings:
        runtime = ServiceRuntime(settings, TracerProvider())
        await runtime.connect()
        queue = runtime.topology.lane_queue("sync-worker", SyncTrigger.SCHEDULED).name
        await _queue_backlog(settings.rabbit_url, queue, backlog)
        worker = Worker(steady_after=3 * settings.prefetch_count)
        subscribe(runtime, worker)  # the sync-worker's lanes and gate, around the stand-in
        await runtime.broker.start()
        runtime.start_relay()
        await worker.steady.wait()

        committed = time.perf_counter()
        async with UnitOfWork(runtime.sessions) as uow:
            await uow.publish(_request(SyncTrigger.MANUAL))
            await uow.commit()
        await worker.manual.wait()
        waited = worker.manual_started_at - committed
        rate = worker.started / (worker.manual_started_at - worker.first_started_at)
        ahead = backlog - worker.started + 1
        await runtime.stop_background()
        await runtime.dispose()
    return [
        BenchResult(
            f"manual sync started behind {backlog:,} queued scheduled (prefetch "
            f"{settings.prefetch_count}, {SYNC_SECONDS * 1000:.0f} ms syncs)",
            waited * 1000, "ms", "< 1 s",
            ahead / rate * 1000, f"FIFO: {ahead:,} ahead / {rate:,.0f} per s drained",
            higher_is_better=False, goal_met=waited < 1.0,
        )
    ]  # fmt: skip


if __name__ == "__main__":
    print_results(asyncio.run(run()))
