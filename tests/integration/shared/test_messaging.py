"""The messaging backbone against the real RabbitMQ and PostgreSQL: outbox, relay, inbox,
dead-lettering and trace propagation."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aio_pika
import pytest
from faststream.rabbit import RabbitQueue
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy import text

from cmis_shared.consumer import REASON_HEADER, EventConsumer
from cmis_shared.events import SyncRequested, SyncTrigger
from cmis_shared.outbox import OutboxRelay
from cmis_shared.publisher import EventPublisher
from cmis_shared.runtime import ServiceRuntime
from cmis_shared.settings import CmisSettings
from cmis_shared.topology import event_routing_key
from cmis_shared.uow import UnitOfWork
from tests.support.waiting import DEFAULT_WITHIN_SECONDS, eventually

pytestmark = pytest.mark.integration


SYNC_REQUESTED = {"service": "sync-worker", "event_type": "sync.requested"}


def _handled(runtime: ServiceRuntime) -> float | None:
    """Deliveries the consumer handled: counted once the message was acked."""
    return runtime.metrics.get_sample_value(
        "cmis_events_consumed_total", {**SYNC_REQUESTED, "outcome": "handled"}
    )


def _event() -> SyncRequested:
    return SyncRequested(
        org_id=uuid.uuid4(), run_id=uuid.uuid4(), integration_id=uuid.uuid4(),
        platform="tiktok", data_type="metrics", trigger="manual", attempt=1,
    )  # fmt: skip


class EffectRecorder:
    """A consumer's effect: applied once per event thanks to the inbox."""

    def __init__(self, runtime: ServiceRuntime, fail_times: int = 0) -> None:
        self.runtime = runtime
        self.applied: list[uuid.UUID] = []
        self.deliveries = 0
        self.fail_times = fail_times

    async def __call__(self, event: SyncRequested) -> None:
        self.deliveries += 1
        if self.deliveries <= self.fail_times:
            raise RuntimeError("boom")
        async with UnitOfWork(self.runtime.sessions) as uow:
            if not await uow.claim_event("test-consumer", event.event_id):
                return
            self.applied.append(event.event_id)
            await uow.commit()


@pytest.fixture
async def runtime(
    settings: CmisSettings, tracer_provider: TracerProvider
) -> AsyncIterator[ServiceRuntime]:
    service_runtime = ServiceRuntime(settings, tracer_provider)
    await service_runtime.connect()
    yield service_runtime
    await service_runtime.stop_background()
    await service_runtime.dispose()


def manual_lane(runtime: ServiceRuntime) -> RabbitQueue:
    """The worker's lane these tests' requests (trigger manual) are routed to."""
    return runtime.topology.lane_queue("sync-worker", SyncTrigger.MANUAL)


async def start_consumer(
    runtime: ServiceRuntime, handler: Callable[[SyncRequested], Awaitable[None]], **kwargs: object
) -> EventConsumer:
    consumer = EventConsumer(
        runtime.broker, runtime.topology, "sync-worker", {SyncRequested: handler},
        retry_pause_seconds=0.01, metrics=runtime.metrics, queue=manual_lane(runtime),
        **kwargs,  # type: ignore[arg-type]
    )  # fmt: skip
    await runtime.broker.start()
    return consumer


async def stage(runtime: ServiceRuntime, event: SyncRequested) -> None:
    async with UnitOfWork(runtime.sessions) as uow:
        await uow.publish(event)
        await uow.commit()


async def test_event_committed_while_no_relay_runs_goes_out_once(runtime: ServiceRuntime) -> None:
    recorder = EffectRecorder(runtime)
    await start_consumer(runtime, recorder)
    event = _event()
    await stage(runtime, event)  # committed; the "relay" is down
    await asyncio.sleep(0.3)
    assert recorder.applied == []

    runtime.start_relay()  # relay comes back
    await eventually(lambda: recorder.applied == [event.event_id])

    async def outbox_emptied() -> bool:  # the relay deletes after the broker confirmed
        async with runtime.sessions() as session:
            left = await session.execute(text("SELECT count(*) FROM outbox WHERE id = :id"),
                                         {"id": event.event_id})  # fmt: skip
            return left.scalar() == 0

    await eventually(outbox_emptied)


async def test_relay_dying_after_publish_before_delete_has_one_effect(
    runtime: ServiceRuntime,
) -> None:
    recorder = EffectRecorder(runtime)
    await start_consumer(runtime, recorder)
    event = _event()
    await stage(runtime, event)

    dying = OutboxRelay(runtime.sessions, runtime.publisher, lease_seconds=0.5)

    async def publish_then_die() -> int:
        # Publish the claimed rows, then "crash" before the delete commits.
        async with runtime.sessions() as session, session.begin():
            rows = (await session.execute(text(
                "UPDATE outbox SET lease_token = gen_random_uuid(), "
                "lease_until = clock_timestamp() + interval '0.5 seconds' "
                "RETURNING id, routing_key, payload, headers, correlation_id, priority, created_at"
            ))).all()  # fmt: skip
        for row in rows:
            await dying._publish(row)
        return len(rows)

    assert await publish_then_die() == 1
    await eventually(lambda: recorder.applied == [event.event_id])

    await asyncio.sleep(0.6)  # lease expires: a healthy relay publishes the row again
    runtime.start_relay()
    # Both deliveries handled (counted once acked); the inbox made the second a no-op.
    await eventually(lambda: _handled(runtime) == 2)
    assert recorder.deliveries == 2
    assert recorder.applied == [event.event_id]
    assert runtime.metrics.get_sample_value("cmis_event_lag_seconds_count", SYNC_REQUESTED) == 2


async def test_same_event_delivered_twice_has_one_effect(runtime: ServiceRuntime) -> None:
    recorder = EffectRecorder(runtime)
    await start_consumer(runtime, recorder)
    event = _event()
    for _ in range(2):  # a redelivery: same event, same event_id
        await runtime.broker.publish(
            event.to_json(), exchange=runtime.topology.exchange,
            routing_key=event_routing_key(event), persist=True, message_id=str(event.event_id),
        )  # fmt: skip
    # Both deliveries handled (counted once acked); the inbox made the second a no-op.
    await eventually(lambda: _handled(runtime) == 2)
    assert recorder.deliveries == 2
    assert recorder.applied == [event.event_id]
    assert runtime.metrics.get_sample_value("cmis_event_lag_seconds_count", SYNC_REQUESTED) == 2


async def test_malformed_message_is_dead_lettered_with_reason_and_consumer_lives(
    runtime: ServiceRuntime, settings: CmisSettings
) -> None:
    recorder = EffectRecorder(runtime)
    consumer = await start_consumer(runtime, recorder)
    await runtime.broker.publish(
        b'{"event_type": "sync.requested", "attempt": "x"}',
        queue=consumer.queue.name, persist=True,
    )  # fmt: skip
    runtime.start_relay()
    event = _event()
    await stage(runtime, event)
    await eventually(lambda: recorder.applied == [event.event_id])

    dead = await _get_dead_letter(settings, runtime)
    assert dead.body == b'{"event_type": "sync.requested", "attempt": "x"}'
    assert "org_id: Field required" in str(dead.headers[REASON_HEADER])
    assert dead.headers["x-cmis-source-queue"] == consumer.queue.name


async def test_handler_failing_every_time_ends_in_dead_letter_queue(
    runtime: ServiceRuntime, settings: CmisSettings
) -> None:
    recorder = EffectRecorder(runtime, fail_times=100)
    await start_consumer(runtime, recorder, max_deliveries=2)
    runtime.start_relay()
    await stage(runtime, _event())
    dead = await _get_dead_letter(settings, runtime)
    assert "boom" in str(dead.headers[REASON_HEADER])
    assert recorder.deliveries == 2


async def test_one_trace_crosses_outbox_publish_and_consume(
    runtime: ServiceRuntime, span_exporter: InMemorySpanExporter
) -> None:
    recorder = EffectRecorder(runtime)
    await start_consumer(runtime, recorder)
    runtime.start_relay()
    event = _event()
    with runtime.tracer.start_as_current_span("http request") as root:
        await stage(runtime, event)
    await eventually(lambda: recorder.applied == [event.event_id])
    trace_id = root.get_span_context().trace_id

    def trace_names() -> set[str]:
        return {span.name for span in span_exporter.get_finished_spans()
                if span.context.trace_id == trace_id}  # fmt: skip

    def ended(suffix: str) -> bool:
        return any(name.endswith(suffix) for name in trace_names())

    # The consumer's span ends after the handler returns, and the relay's once the broker
    # confirmed, which may come after the consumer applied the event: wait for both to end.
    await eventually(lambda: ended("process") and ended("publish"))
    names = trace_names()
    assert "http request" in names  # the staging span is the root
    assert any(name.endswith("publish") for name in names), names
    assert any(name.endswith("process") for name in names), names


async def _get_dead_letter(
    settings: CmisSettings, runtime: ServiceRuntime
) -> aio_pika.abc.AbstractIncomingMessage:
    connection = await aio_pika.connect_robust(settings.rabbit_url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(runtime.topology.dead_letter_queue.name)
        deadline = asyncio.get_running_loop().time() + DEFAULT_WITHIN_SECONDS
        while asyncio.get_running_loop().time() < deadline:
            message = await queue.get(fail=False)
            if message is not None:
                await message.ack()
                return message
            await asyncio.sleep(0.05)
    raise AssertionError("nothing arrived in the dead-letter queue")


class HangsOnOne:
    """The publisher, except that one message's confirm never comes (a broker that stopped
    answering for it)."""

    def __init__(self, publisher: EventPublisher, stuck_message_id: str) -> None:
        self._publisher = publisher
        self._stuck = stuck_message_id

    async def publish(self, body: bytes, *, message_id: str, **kwargs: Any) -> None:
        if message_id == self._stuck:
            await asyncio.Event().wait()
        await self._publisher.publish(body, message_id=message_id, **kwargs)


async def test_a_publish_never_confirmed_releases_its_row_at_the_batch_deadline(
    runtime: ServiceRuntime,
) -> None:
    """The batch goes out; what was confirmed is deleted, the unconfirmed row goes back to the
    outbox at the deadline instead of holding the relay (and every row behind it) forever."""
    recorder = EffectRecorder(runtime)
    await start_consumer(runtime, recorder)
    stuck, fine = _event(), _event()
    await stage(runtime, stuck)
    await stage(runtime, fine)
    relay = OutboxRelay(
        runtime.sessions,
        HangsOnOne(runtime.publisher, str(stuck.event_id)),  # type: ignore[arg-type]
        lease_seconds=30,
        batch_deadline_seconds=0.5,
    )
    attempt = asyncio.ensure_future(relay.relay_once())
    done, _ = await asyncio.wait({attempt}, timeout=20)  # a limit, not a measurement
    if not done:
        attempt.cancel()
    assert attempt in done, "the relay waited for a confirm that never came"
    assert attempt.result() == 2
    await eventually(lambda: recorder.applied == [fine.event_id])
    async with runtime.sessions() as session:
        left = (
            (
                await session.execute(
                    text("SELECT id FROM outbox WHERE id = ANY(:ids)"),
                    {"ids": [stuck.event_id, fine.event_id]},
                )
            )
            .scalars()
            .all()
        )
    assert left == [stuck.event_id]  # released: the next claim after the retry delay has it
