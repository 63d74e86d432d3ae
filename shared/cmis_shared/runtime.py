"""What every service process holds: settings, telemetry, the database, the broker, the
topology and the outbox relay; started and stopped in one place.

Its background tasks are supervised (:mod:`cmis_shared.supervision`); its readiness is a set
of checks (:mod:`cmis_shared.health`) served on the metrics port with ``/metrics`` and
``/healthz``, and watched (:mod:`cmis_shared.watchdog`): a dependency away past
``dependency_outage_exit_seconds`` ends the process for its supervisor to restart."""

from __future__ import annotations

import asyncio
import inspect
import logging
import socket
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any

import structlog
from aio_pika.abc import AbstractChannel
from faststream import FastStream
from faststream.rabbit import RabbitBroker, RabbitQueue
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from prometheus_client import CollectorRegistry
from sqlalchemy import text

from cmis_shared.broker import build_broker
from cmis_shared.consumer import EventConsumer, Handler
from cmis_shared.db.engine import (
    asyncpg_connect_args,
    asyncpg_dsn,
    create_engine,
    create_session_factory,
)
from cmis_shared.dead_letters import dead_letter_depth
from cmis_shared.events import Event
from cmis_shared.health import Check, HealthChecks, Readiness
from cmis_shared.health_server import HealthServer
from cmis_shared.outbox import OutboxRelay
from cmis_shared.publisher import EventPublisher
from cmis_shared.queue_migration import migrate_classic_queues
from cmis_shared.runtime_metrics import RuntimeMetrics
from cmis_shared.settings import CmisSettings
from cmis_shared.supervision import SupervisedTask, Supervisor
from cmis_shared.telemetry import build_tracer_provider
from cmis_shared.topology import Topology
from cmis_shared.watchdog import DependencyWatchdog, exit_process

log = structlog.get_logger(__name__)


class ServiceRuntime:
    def __init__(
        self,
        settings: CmisSettings,
        tracer_provider: TracerProvider | None = None,
        *,
        exit: Callable[[int], None] = exit_process,
    ) -> None:
        self.settings = settings
        self.instance_id = f"{settings.service_name}@{socket.gethostname()}"
        self.tracer_provider = tracer_provider or build_tracer_provider(settings)
        self.tracer = self.tracer_provider.get_tracer(settings.service_name)
        self.metrics = CollectorRegistry()
        self.engine = create_engine(settings)
        # asyncpg rather than SQLAlchemy instrumentation: it sees both the ORM's statements and
        # the raw asyncpg ones (bulk upserts, COPY), and it patches the driver once per process.
        instrumentor = AsyncPGInstrumentor()
        if not instrumentor.is_instrumented_by_opentelemetry:
            instrumentor.instrument(tracer_provider=self.tracer_provider)
        self.sessions = create_session_factory(self.engine)
        self.topology = Topology(settings.namespace)
        self.broker: RabbitBroker = build_broker(settings, self.tracer_provider, self.metrics)
        self.publisher = EventPublisher(
            settings.amqp_urls,
            self.topology.exchange.name,
            self.tracer,
            settings.service_name,
        )
        self.relay = OutboxRelay(
            self.sessions,
            self.publisher,
            listen_dsn=asyncpg_dsn(settings.database_url),
            listen_connect_args=asyncpg_connect_args(settings),
            batch_size=settings.outbox_batch_size,
            poll_seconds=settings.outbox_poll_seconds,
            lease_seconds=settings.outbox_lease_seconds,
            batch_deadline_seconds=settings.outbox_batch_deadline_seconds,
        )
        self.runtime_metrics = RuntimeMetrics(self.metrics)
        self.supervisor = Supervisor(
            initial_seconds=settings.task_restart_initial_seconds,
            max_seconds=settings.task_restart_max_seconds,
            restarts=self.runtime_metrics.task_restarts,
        )
        self.health = HealthChecks(settings.health_check_timeout_seconds)
        self.health.add("database", self._check_database, dependency=True)
        self.health.add("broker", self._check_broker, dependency=True)
        self.health.add("consumers", self._check_consumers)
        self.health.add("relay", self._check_relay)
        self.health.add("outbox", self._check_outbox)
        self.health.add("dead_letters", self._check_dead_letters)
        self.watchdog = DependencyWatchdog(
            lambda: self.health.run(dependencies_only=True),
            limit_seconds=settings.dependency_outage_exit_seconds,
            interval_seconds=settings.health_check_interval_seconds,
            exit=exit,
        )
        self.health_server: HealthServer | None = None
        self._relay_tasks: list[SupervisedTask] = []
        self._admin_channel: AbstractChannel | None = None

    async def connect(self) -> None:
        """Connect the broker and declare the topology (before subscribers start), moving what
        the classic queues of an earlier version still hold (:mod:`.queue_migration`);
        serve /metrics, /healthz and /readyz; start the dependency watchdog."""
        log.info("protections", service=self.settings.service_name, **self.settings.protections())
        await self.broker.connect()
        await self.topology.declare(self.broker)
        await self.publisher.connect()
        await migrate_classic_queues(self.publisher.open_channel, self.topology)
        if self.settings.metrics_port is not None and self.health_server is None:
            self.health_server = HealthServer(
                self.metrics, self.readiness, port=self.settings.metrics_port
            )
            await self.health_server.start()
        self.start_background(self.watchdog.run, "dependency-watchdog")

    def consumer(
        self,
        service: str,
        handlers: Mapping[type[Event], Handler],
        queue: RabbitQueue | None = None,
    ) -> EventConsumer:
        """The service's event consumer (of ``queue``, one of its lanes, if given), with its
        limits, pauses and timeouts from settings."""
        return EventConsumer(
            self.broker,
            self.topology,
            service,
            handlers,
            max_deliveries=self.settings.consumer_max_attempts,
            retry_pause_seconds=self.settings.consumer_retry_pause_seconds,
            infra_retry_max_seconds=self.settings.consumer_infra_retry_max_seconds,
            publish_timeout_seconds=self.settings.publish_timeout_seconds,
            metrics=self.metrics,
            queue=queue,
        )

    def add_check(self, name: str, check: Check, *, dependency: bool = True) -> None:
        """Add a readiness check, e.g. ``add_check("redis", redis.ping)``. A dependency (the
        default) is also watched: down past the outage limit, the process exits."""
        self.health.add(name, check, dependency=dependency)

    async def readiness(self) -> Readiness:
        """Every check, run now (database, broker, consumers, relay, outbox age, dead
        letters and the service's own); what /readyz answers."""
        readiness = await self.health.run()
        for result in readiness.checks:
            self.runtime_metrics.check_ok.labels(result.name).set(1 if result.ok else 0)
        return readiness

    def start_background(
        self, coroutine_factory: Callable[[], Coroutine[Any, Any, None]], name: str
    ) -> SupervisedTask:
        """Run a long-running coroutine, restarted with capped backoff when it raises."""
        return self.supervisor.start(coroutine_factory, name)

    def start_relay(self, lanes: int = 2) -> None:
        """Two lanes claim separate batches (SKIP LOCKED), so one lane's database round trips
        overlap the other's publishing; the LISTEN connection wakes them."""
        self._relay_tasks.append(self.start_background(self.relay.listen, "outbox-listen"))
        for lane in range(1, lanes + 1):
            task = self.start_background(self.relay.lane, f"outbox-relay-lane-{lane}")
            self._relay_tasks.append(task)

    async def stop_background(self) -> None:
        """Stop the relay and other loops; events they did not publish stay in the outbox."""
        await self.supervisor.stop()
        self._relay_tasks.clear()

    async def dispose(self) -> None:
        """After the broker has stopped (in-flight handlers finished or their messages returned
        to the queue): close the database pool and flush spans. Stops any background task
        still running (the watchdog above all: it must not outlive its runtime)."""
        await self.stop_background()
        if self.health_server is not None:
            await self.health_server.stop()
            self.health_server = None
        await self.broker.stop()
        await self.publisher.close()
        await self.engine.dispose()
        self.tracer_provider.force_flush()
        log.info("stopped", service=self.settings.service_name)

    def faststream_app(
        self, after_startup: Sequence[Callable[[], Any]] = (), **kwargs: Any
    ) -> FastStream:
        """The process lifecycle of a broker-only service: connect and declare, start
        subscribers, start the outbox relay and the service's own loops; on SIGTERM stop the
        loops, let in-flight handlers finish (or return their messages), close everything.

        FastStream runs plain functions in a worker thread, where no event loop runs: every
        hook is therefore wrapped to run on the loop."""
        # FastStream's own default logger has its own handler; ours goes through structlog.
        kwargs.setdefault("logger", logging.getLogger("cmis.lifecycle"))
        return FastStream(
            self.broker,
            on_startup=[self.connect],
            after_startup=[_on_loop(hook) for hook in (self.start_relay, *after_startup)],
            on_shutdown=[self.stop_background],
            after_shutdown=[self.dispose],
            **kwargs,
        )

    async def _check_database(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def _check_broker(self) -> bool:
        return await self.broker.ping(timeout=self.settings.health_check_timeout_seconds)

    async def _check_consumers(self) -> str:
        subscribers = self.broker.subscribers
        stopped = [str(getattr(s, "queue", s)) for s in subscribers if not s.running]
        if stopped and self.broker.running:
            raise RuntimeError(f"not consuming: {', '.join(stopped)}")
        return f"{len(subscribers) - len(stopped)} consuming"

    async def _check_relay(self) -> str:
        if not self._relay_tasks:
            return "not started"
        down = [t.name for t in self._relay_tasks if not t.running]
        if down:
            errors = "; ".join(
                f"{t.name}: {t.last_error}" for t in self._relay_tasks if t.last_error
            )
            raise RuntimeError(f"not running: {', '.join(down)} ({errors})")
        return f"{len(self._relay_tasks)} tasks running"

    async def _check_outbox(self) -> str:
        depth, oldest_age = await self.relay.backlog()
        self.runtime_metrics.outbox_depth.set(depth)
        self.runtime_metrics.outbox_oldest_age.set(oldest_age)
        detail = f"{depth} waiting, oldest {oldest_age:.1f} s"
        if oldest_age > self.settings.outbox_max_age_seconds:
            raise RuntimeError(detail)
        return detail

    async def _check_dead_letters(self) -> str:
        channel = self._admin_channel
        if channel is None or channel.is_closed:
            channel = self._admin_channel = await self.publisher.open_channel()
        try:
            depth = await dead_letter_depth(channel, self.topology)
        except BaseException:
            # Failed or cut off by the check's timeout (a channel left behind by a broker
            # restart may never answer again, yet not say it is closed): the next check
            # opens a fresh channel rather than asking this one forever.
            self._admin_channel = None
            raise
        self.runtime_metrics.dead_letter_depth.set(depth)
        return f"{depth} parked"


def _on_loop(hook: Callable[[], Any]) -> Callable[[], Coroutine[Any, Any, None]]:
    async def run_on_loop() -> None:
        result = hook()
        if inspect.isawaitable(result):
            await result

    return run_on_loop


def serve(app: FastStream) -> None:
    """Run a FastStream app until SIGINT/SIGTERM (FastStream installs the handlers)."""
    asyncio.run(app.run())
