"""The runtime under faults, against the real servers: supervised relay through terminated
database connections, the consumer's error taxonomy and attempt count, /readyz, the
dependency watchdog."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aio_pika
import asyncpg
import httpx
import pytest
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy.engine import make_url

from cmis_shared.consumer import (
    REASON_HEADER,
    ROUTING_KEY_HEADER,
    SOURCE_QUEUE_HEADER,
)
from cmis_shared.db.engine import asyncpg_dsn
from cmis_shared.events import SyncRequested
from cmis_shared.runtime import ServiceRuntime
from cmis_shared.settings import CmisSettings
from cmis_shared.topology import event_routing_key
from cmis_shared.watchdog import EXIT_CODE
from tests.integration.shared.test_messaging import (
    EffectRecorder,
    _event,
    _get_dead_letter,
    manual_lane,
    stage,
)
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


@pytest.fixture
async def runtime(
    settings: CmisSettings, tracer_provider: TracerProvider
) -> AsyncIterator[ServiceRuntime]:
    tuned = settings.model_copy(
        update={"task_restart_initial_seconds": 0.05, "task_restart_max_seconds": 0.2}
    )
    service_runtime = ServiceRuntime(tuned, tracer_provider)
    await service_runtime.connect()
    yield service_runtime
    await service_runtime.stop_background()
    await service_runtime.dispose()


async def _terminate_connections(database_url: str) -> int:
    """End every other session of this test's own database, as a failover does."""
    database = make_url(database_url).database
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        rows = await connection.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()",
            database,
        )
        return len(rows)
    finally:
        await connection.close()


async def _stage_retrying(runtime: ServiceRuntime, event: SyncRequested) -> None:
    # The pool may still hold a connection that was terminated: the first unit of work
    # fails and SQLAlchemy drops the dead connections.
    for _ in range(5):
        try:
            await stage(runtime, event)
            return
        except Exception:  # noqa: BLE001 - a dead pooled connection, tried again
            await asyncio.sleep(0.1)
    await stage(runtime, event)


async def test_relay_survives_its_database_connections_being_terminated(
    runtime: ServiceRuntime,
) -> None:
    recorder = EffectRecorder(runtime)
    runtime.consumer("sync-worker", {SyncRequested: recorder}, queue=manual_lane(runtime))
    await runtime.broker.start()
    runtime.start_relay()
    first = _event()
    await stage(runtime, first)
    await eventually(lambda: recorder.applied == [first.event_id])

    assert await _terminate_connections(str(runtime.settings.database_url)) >= 1
    await asyncio.sleep(0.5)  # the relay's lanes poll into the dead connections meanwhile

    later = _event()
    await _stage_retrying(runtime, later)
    await eventually(lambda: recorder.applied == [first.event_id, later.event_id], within=60)

    def listen_restarts() -> float:
        restarts = runtime.metrics.get_sample_value(
            "cmis_task_restarts_total", {"task": "outbox-listen"}
        )
        return restarts or 0.0

    # A lane's poll may relay ``later`` while the LISTEN task still waits out its restart
    # pause or reconnects: what must follow is that it is back, having restarted.
    relay_tasks = [task for task in runtime.supervisor.tasks if "outbox" in task.name]
    await eventually(lambda: listen_restarts() >= 1 and all(t.running for t in relay_tasks))


async def test_a_background_task_that_raises_is_restarted(runtime: ServiceRuntime) -> None:
    calls: list[int] = []

    async def loop() -> None:
        calls.append(1)
        if len(calls) < 3:
            raise RuntimeError("loop crashed")
        await asyncio.Event().wait()

    task = runtime.start_background(loop, "service-loop")
    await eventually(lambda: len(calls) == 3 and task.running)
    assert (
        runtime.metrics.get_sample_value("cmis_task_restarts_total", {"task": "service-loop"}) == 2
    )


async def test_handler_failing_every_time_on_the_priority_queue_is_dead_lettered_at_defaults(
    runtime: ServiceRuntime, settings: CmisSettings
) -> None:
    recorder = EffectRecorder(runtime, fail_times=1000)
    consumer = runtime.consumer(
        "sync-worker", {SyncRequested: recorder}, queue=manual_lane(runtime)
    )  # default limits
    await runtime.broker.start()
    runtime.start_relay()
    await stage(runtime, _event())
    dead = await _get_dead_letter(settings, runtime)
    assert "boom" in str(dead.headers[REASON_HEADER])
    assert dead.headers[ROUTING_KEY_HEADER] == "sync.requested.manual"
    assert dead.headers[SOURCE_QUEUE_HEADER] == consumer.queue.name
    await asyncio.sleep(0.5)
    assert recorder.deliveries == settings.consumer_max_attempts  # and no more


class FlakyInfrastructure(EffectRecorder):
    """Fails with a lost database connection for a while, then works."""

    def __init__(self, runtime: ServiceRuntime, failures: int) -> None:
        super().__init__(runtime)
        self.failures = failures

    async def __call__(self, event: SyncRequested) -> None:
        if self.deliveries < self.failures:
            self.deliveries += 1
            raise ConnectionResetError("database connection lost")
        await super().__call__(event)


async def test_infrastructure_errors_are_retried_past_the_limit_and_never_dead_lettered(
    runtime: ServiceRuntime, settings: CmisSettings
) -> None:
    tuned = runtime.settings.model_copy(
        update={
            "consumer_max_attempts": 2,
            "consumer_retry_pause_seconds": 0.01,
            "consumer_infra_retry_max_seconds": 0.05,
        }
    )
    runtime.settings = tuned
    recorder = FlakyInfrastructure(runtime, failures=12)  # far longer than 2 x 0.01 s
    runtime.consumer("sync-worker", {SyncRequested: recorder}, queue=manual_lane(runtime))
    await runtime.broker.start()
    runtime.start_relay()
    event = _event()
    await stage(runtime, event)
    await eventually(lambda: recorder.applied == [event.event_id])
    assert recorder.deliveries == 13
    assert await _dead_letter_count(settings, runtime) == 0


async def test_a_retried_message_keeps_its_priority_id_and_headers(
    runtime: ServiceRuntime, settings: CmisSettings
) -> None:
    runtime.settings = runtime.settings.model_copy(
        update={"consumer_max_attempts": 2, "consumer_retry_pause_seconds": 0.01}
    )
    recorder = EffectRecorder(runtime, fail_times=1000)
    consumer = runtime.consumer(
        "sync-worker", {SyncRequested: recorder}, queue=manual_lane(runtime)
    )
    await runtime.broker.start()
    event = _event()
    await runtime.broker.publish(
        event.to_json(), exchange=runtime.topology.exchange, routing_key=event_routing_key(event),
        persist=True, message_id=str(event.event_id), correlation_id="corr-1", priority=3,
        headers={"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                 "tenant": "acme"},
    )  # fmt: skip
    dead = await _get_dead_letter(settings, runtime)  # after one republish, then the limit
    assert recorder.deliveries == 2
    assert dead.priority == 3
    assert dead.message_id == str(event.event_id)
    assert dead.correlation_id == "corr-1"
    assert dead.headers["tenant"] == "acme"
    assert "traceparent" in dead.headers  # FastStream's publish span continues the trace
    assert dead.headers[ROUTING_KEY_HEADER] == "sync.requested.manual"
    assert dead.headers[SOURCE_QUEUE_HEADER] == consumer.queue.name


async def test_readyz_reports_every_check_on_the_metrics_port(
    settings: CmisSettings, tracer_provider: TracerProvider
) -> None:
    runtime = ServiceRuntime(settings.model_copy(update={"metrics_port": 0}), tracer_provider)
    await runtime.connect()
    try:
        runtime.consumer(
            "sync-worker", {SyncRequested: EffectRecorder(runtime)}, queue=manual_lane(runtime)
        )
        await runtime.broker.start()
        runtime.start_relay()
        assert runtime.health_server is not None
        base = f"http://127.0.0.1:{runtime.health_server.port}"
        async with httpx.AsyncClient(base_url=base, timeout=10) as client:
            assert (await client.get("/healthz")).status_code == 200
            ready = await client.get("/readyz")
            assert ready.status_code == 200, ready.text
            checks = ready.json()["checks"]
            assert set(checks) == {
                "database", "broker", "consumers", "relay", "outbox", "dead_letters"
            }  # fmt: skip
            assert all(check["ok"] for check in checks.values())

            async def redis_down() -> None:
                raise ConnectionRefusedError("redis refused")

            runtime.add_check("redis", redis_down)
            not_ready = await client.get("/readyz")
            assert not_ready.status_code == 503
            assert not_ready.json()["checks"]["redis"]["ok"] is False
            metrics = (await client.get("/metrics")).text
            assert "cmis_outbox_depth" in metrics
            assert "cmis_dead_letter_depth" in metrics
            assert (await client.get("/nowhere")).status_code == 404
        report = await runtime.readiness()
        assert not report.ok
    finally:
        await runtime.stop_background()
        await runtime.dispose()


async def test_database_unreachable_past_the_limit_exits_the_process(
    settings: CmisSettings, tracer_provider: TracerProvider
) -> None:
    unreachable = make_url(settings.database_url).set(host="127.0.0.1", port=1)
    broken = settings.model_copy(
        update={
            "database_url": unreachable.render_as_string(hide_password=False),
            "dependency_outage_exit_seconds": 0.3,
            "health_check_interval_seconds": 0.05,
        }
    )
    exits: list[int] = []
    runtime = ServiceRuntime(broken, tracer_provider, exit=exits.append)
    await runtime.connect()
    try:
        await eventually(lambda: exits == [EXIT_CODE])
        assert "database" in runtime.watchdog.down_since
    finally:
        await runtime.stop_background()
        await runtime.dispose()


async def _dead_letter_count(settings: CmisSettings, runtime: ServiceRuntime) -> int:
    connection = await aio_pika.connect_robust(settings.rabbit_url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(runtime.topology.dead_letter_queue.name, passive=True)
        return int(queue.declaration_result.message_count or 0)
