"""Pipeline: syncs/s through ONE ``cmis-sync-worker`` process, from a backlog of queued
``sync.requested`` to finished attempts (data stored, outcome in the outbox), against the
platform simulator with zero latency and with 200 ms per call; beside the raw
publish+consume rate of aio-pika on the same broker, measured in the same run.

Each sync is a campaigns sync of its own account (five platforms in turn): one platform
call, one start and one finishing transaction, two events relayed. The backlog is published
once every worker is ready (consuming), and a worker's CPU per sync is counted from then:
its start-up (imports, connections) is printed apart, as it is paid once per process.

Then two worker processes (competing consumers of the same queue) against one, at 0 ms: the
ratio of their syncs/s, and the CPU per sync of each process. On a 2-core host that the
broker, PostgreSQL and the simulator share, two processes cannot reach 2x.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import aio_pika
import asyncpg
import httpx
import orjson
from faststream.rabbit import RabbitBroker

from cmis_platform_sim.dataset import Size
from cmis_shared.crypto import TokenCipher
from cmis_shared.db.engine import asyncpg_dsn
from cmis_shared.events import DataType, Platform, SyncRequested, SyncTrigger
from cmis_shared.settings import CmisSettings
from cmis_shared.topology import Topology
from cmis_sync_worker.settings import SyncWorkerSettings
from tests.benchmarks.common import BenchResult, print_results
from tests.benchmarks.support import scratch_settings
from tests.integration.sync_worker.world import EXTRA, EventCollector, worker_env
from tests.support.platform_sim import X_CONSUMER, start_platform_sim, stop_platform_sim
from tests.support.ports import free_port
from tests.support.servers import discover

WORKER = str(Path(sys.executable).parent / "cmis-sync-worker")
PLATFORMS = list(Platform)
WORKER_ENV = {
    "CMIS_PREFETCH_COUNT": "400",
    "CMIS_MAX_CONCURRENT_SYNCS": "400",
    "CMIS_DATABASE_POOL_SIZE": "20",
    "CMIS_OUTBOX_BATCH_SIZE": "500",
    "CMIS_ACCOUNT_CONCURRENCY": "4",
}


async def raw_publish_consume_rate(rabbit_url: str, count: int) -> float:
    """aio-pika: persistent confirmed publishes (200 in flight) consumed with acks
    (prefetch 200) at the same time, through one classic queue."""
    publisher = await aio_pika.connect_robust(rabbit_url)
    consumer = await aio_pika.connect_robust(rabbit_url)
    async with publisher, consumer:
        channel = await publisher.channel(publisher_confirms=True)
        queue = await channel.declare_queue(f"bench-raw-{uuid.uuid4().hex[:8]}", exclusive=False)
        consume_channel = await consumer.channel()
        await consume_channel.set_qos(prefetch_count=200)
        done, received = asyncio.Event(), 0

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            nonlocal received
            await message.ack()
            received += 1
            if received == count:
                done.set()

        consume_queue = await consume_channel.get_queue(queue.name)
        consumer_tag = await consume_queue.consume(on_message)
        in_flight = asyncio.Semaphore(200)
        body = b"x" * 400

        async def publish() -> None:
            async with in_flight:
                await channel.default_exchange.publish(
                    aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                    routing_key=queue.name,
                )

        started = time.perf_counter()
        await asyncio.gather(*(publish() for _ in range(count)))
        await done.wait()
        elapsed = time.perf_counter() - started
        await consume_queue.cancel(consumer_tag)
        await queue.delete(if_unused=False, if_empty=False)
    return count / elapsed


async def _queue_syncs(settings: CmisSettings, count: int) -> list[SyncRequested]:
    """Integrations and queued runs written as dashboard-api and the scheduler would."""
    cipher = TokenCipher(settings.encryption_keys)
    org_id = uuid.uuid4()
    integrations, runs, requests = [], [], []
    for n in range(count):
        platform = PLATFORMS[n % len(PLATFORMS)]
        account_id = f"18ce5{n:05x}" if platform is Platform.TWITTER else str(2_000_000_000 + n)
        integration_id, run_id = uuid.uuid4(), uuid.uuid4()
        credentials = {"access_token": "sim-bench", "token_secret": "sim-token-secret"}
        integrations.append((
            integration_id, org_id, platform.value, account_id, "USD", "UTC",
            orjson.dumps(EXTRA.get(platform, {})).decode(),
            cipher.encrypt(credentials),
        ))  # fmt: skip
        request = SyncRequested(
            org_id=org_id, run_id=run_id, integration_id=integration_id, platform=platform,
            data_type=DataType.CAMPAIGNS, trigger=SyncTrigger.SCHEDULED, attempt=1,
        )  # fmt: skip
        runs.append((run_id, org_id, integration_id, platform.value, request.correlation_id))
        requests.append(request)
    connection = await asyncpg.connect(asyncpg_dsn(settings.database_url))
    try:
        await connection.execute(
            "INSERT INTO organizations (id, name, timezone) VALUES ($1, 'bench', 'UTC')", org_id
        )
        await connection.executemany(
            "INSERT INTO integrations (id, org_id, platform, account_id, account_name, currency, "
            "timezone, account_extra, status, refreshable, credentials_encrypted) "
            "VALUES ($1, $2, $3, $4, 'bench', $5, $6, $7::jsonb, 'active', false, $8)",
            integrations,
        )
        await connection.executemany(
            "INSERT INTO sync_runs (id, org_id, integration_id, platform, data_type, trigger, "
            "correlation_id, status, attempt) "
            "VALUES ($1, $2, $3, $4, 'campaigns', 'scheduled', $5, 'queued', 1)",
            runs,
        )
    finally:
        await connection.close()
    return requests


async def _declare_topology(settings: CmisSettings) -> None:
    broker = RabbitBroker(settings.rabbit_url)
    await broker.connect()
    await Topology(settings.namespace).declare(broker)
    await broker.stop()


async def _wait_until_ready(ports: list[int]) -> None:
    """Until every worker's /readyz answers 200 (its consumers run): start-up is over."""
    deadline = time.monotonic() + 300
    async with httpx.AsyncClient(timeout=5) as client:
        for port in ports:
            while True:
                try:
                    if (await client.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass  # not listening yet
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the worker on port {port} never became ready")
                await asyncio.sleep(0.1)


async def _publish_backlog(settings: CmisSettings, requests: list[SyncRequested]) -> None:
    sender = EventCollector(settings.rabbit_url, Topology(settings.namespace))
    await sender.start()
    await asyncio.gather(*(sender.publish(request) for request in requests))
    await sender.stop()


async def _finished_by_worker(settings: CmisSettings) -> dict[int, int]:
    """Finished attempts per worker process id (``worker_id`` ends with ``:pid``)."""
    connection = await asyncpg.connect(asyncpg_dsn(settings.database_url))
    try:
        rows = await connection.fetch(
            "SELECT worker_id, count(*) AS n FROM sync_attempts "
            "WHERE finished_at IS NOT NULL GROUP BY worker_id"
        )
    finally:
        await connection.close()
    return {int(row["worker_id"].rsplit(":", 1)[1]): row["n"] for row in rows}


async def _attempts(settings: CmisSettings) -> tuple[int, int, float]:
    connection = await asyncpg.connect(asyncpg_dsn(settings.database_url))
    try:
        row = await connection.fetchrow(
            "SELECT count(*) FILTER (WHERE finished_at IS NOT NULL) AS finished, "
            "count(*) FILTER (WHERE outcome = 'success') AS succeeded, "
            "extract(epoch FROM max(finished_at) - min(started_at)) AS span FROM sync_attempts"
        )
    finally:
        await connection.close()
    assert row is not None
    return row["finished"], row["succeeded"], float(row["span"] or 0)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU the process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class PipelineRun:
    rate: float  # syncs/s over all workers
    succeeded: int
    cpu_ms_per_sync: list[float]  # per worker process: its CPU over the syncs it finished
    startup_cpu_seconds: list[float]  # per worker process: before it was ready (not above)

    @property
    def cpu_ms_label(self) -> str:
        per_sync = " / ".join(f"{cpu:.1f}" for cpu in self.cpu_ms_per_sync)
        startup = " / ".join(f"{cpu:.2f}" for cpu in self.startup_cpu_seconds)
        return f"{per_sync} ms/sync, start-up {startup} s"


async def syncs_per_second(latency_ms: float, count: int, workers: int = 1) -> PipelineRun:
    sim = start_platform_sim(
        "--latency-ms", str(latency_ms), "--max-page-size", "10000",
        size=Size(accounts=5, campaigns=8, days=45, posts=12),
    )  # fmt: skip
    try:
        async with scratch_settings() as base:
            settings = SyncWorkerSettings(
                **base.model_dump(), platform_sim_url=sim.base_url, platforms=X_CONSUMER
            )
            requests = await _queue_syncs(settings, count)
            await _declare_topology(settings)
            # Each worker's share of the backlog at most: a small run must not all go to the
            # process that happens to start first.
            prefetch = min(int(WORKER_ENV["CMIS_PREFETCH_COUNT"]), max(10, count // (4 * workers)))
            ports = [free_port() for _ in range(workers)]
            processes = [
                await asyncio.create_subprocess_exec(
                    WORKER, env={**os.environ, **worker_env(settings), **WORKER_ENV,
                                 "CMIS_PREFETCH_COUNT": str(prefetch),
                                 "CMIS_METRICS_PORT": str(port)},
                    stderr=asyncio.subprocess.DEVNULL,
                )
                for port in ports
            ]  # fmt: skip
            try:
                # Start-up (imports, connections: about 2 s of CPU) is no sync's cost: the
                # backlog goes out once every worker is ready, and CPU is counted from there.
                await _wait_until_ready(ports)
                startup = {process.pid: _cpu_seconds(process.pid) for process in processes}
                await _publish_backlog(settings, requests)
                deadline = time.monotonic() + 300
                while (await _attempts(settings))[0] < count and time.monotonic() < deadline:  # noqa: ASYNC110 - polling the database
                    await asyncio.sleep(0.2)
                cpu = {
                    process.pid: _cpu_seconds(process.pid) - startup[process.pid]
                    for process in processes
                }
            finally:
                for process in processes:
                    process.send_signal(signal.SIGTERM)
                for process in processes:
                    try:
                        await asyncio.wait_for(process.wait(), 60)
                    except TimeoutError:  # a host this loaded: the figures are taken already
                        process.kill()
                        await process.wait()
            finished, succeeded, span = await _attempts(settings)
            by_worker = await _finished_by_worker(settings)
    finally:
        stop_platform_sim(sim)
    return PipelineRun(
        finished / span if span else 0.0,
        succeeded,
        [cpu[pid] * 1000 / max(by_worker.get(pid, 0), 1) for pid in cpu],
        list(startup.values()),
    )


async def run(scale: float = 1.0) -> list[BenchResult]:
    count = max(100, int(5_000 * scale))
    raw = await raw_publish_consume_rate(discover().rabbit, max(1000, int(20_000 * scale)))
    results = []
    one_worker = 0.0
    for latency, goal in ((0.0, 500.0), (200.0, 300.0)):
        measured = await syncs_per_second(latency, count)
        one_worker = one_worker or measured.rate
        results.append(
            BenchResult(
                f"pipeline: one worker, {latency:g} ms/call "
                f"({measured.succeeded}/{count} ok, worker CPU {measured.cpu_ms_label})",
                measured.rate, "syncs/s", f"≥ {goal:g} syncs/s", raw,
                "aio-pika publish+consume, same broker",
                goal_met=measured.rate >= goal and measured.succeeded == count,
            )
        )  # fmt: skip
    two = await syncs_per_second(0.0, count, workers=2)
    results.append(
        BenchResult(
            f"pipeline: two workers against one, 0 ms/call ({two.succeeded}/{count} ok, "
            f"CPU in each: {two.cpu_ms_label})",
            two.rate, "syncs/s", "print (2 cores shared with the servers: < 2x)", one_worker,
            "one worker, same run", goal_met=None,
        )
    )  # fmt: skip
    return results


if __name__ == "__main__":
    print_results(asyncio.run(run()))
