"""What every service process holds: settings, telemetry, the database, the broker, the
topology and the outbox relay; started and stopped in one place."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import socket
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

import structlog
from faststream import FastStream
from faststream.rabbit import RabbitBroker
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from prometheus_client import CollectorRegistry, start_http_server

from cmis_shared.broker import build_broker
from cmis_shared.db.engine import asyncpg_dsn, create_engine, create_session_factory
from cmis_shared.outbox import OutboxRelay
from cmis_shared.publisher import EventPublisher
from cmis_shared.settings import CmisSettings
from cmis_shared.telemetry import build_tracer_provider
from cmis_shared.topology import Topology

log = structlog.get_logger(__name__)


class ServiceRuntime:
    def __init__(
        self, settings: CmisSettings, tracer_provider: TracerProvider | None = None
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
            settings.rabbit_url, self.topology.exchange.name, self.tracer, settings.service_name
        )
        self.relay = OutboxRelay(
            self.sessions,
            self.publisher,
            listen_dsn=asyncpg_dsn(settings.database_url),
            batch_size=settings.outbox_batch_size,
            poll_seconds=settings.outbox_poll_seconds,
            lease_seconds=settings.outbox_lease_seconds,
        )
        self._tasks: list[asyncio.Task[None]] = []

    async def connect(self) -> None:
        """Connect the broker and declare the topology (before subscribers start)."""
        await self.broker.connect()
        await self.topology.declare(self.broker)
        await self.publisher.connect()
        if self.settings.metrics_port is not None:
            start_http_server(self.settings.metrics_port, registry=self.metrics)

    def start_background(
        self, coroutine_factory: Callable[[], Coroutine[Any, Any, None]], name: str
    ) -> None:
        task = asyncio.create_task(coroutine_factory(), name=name)
        self._tasks.append(task)

    def start_relay(self) -> None:
        self.start_background(self.relay.run, "outbox-relay")

    async def stop_background(self) -> None:
        """Stop the relay and other loops; events they did not publish stay in the outbox."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()

    async def dispose(self) -> None:
        """After the broker has stopped (in-flight handlers finished or their messages returned
        to the queue): close the database pool and flush spans."""
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


def _on_loop(hook: Callable[[], Any]) -> Callable[[], Coroutine[Any, Any, None]]:
    async def run_on_loop() -> None:
        result = hook()
        if inspect.isawaitable(result):
            await result

    return run_on_loop


def serve(app: FastStream) -> None:
    """Run a FastStream app until SIGINT/SIGTERM (FastStream installs the handlers)."""
    asyncio.run(app.run())
