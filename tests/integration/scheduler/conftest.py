"""A scheduler running in the test process (runtime, consumer, dispatch loop) with time
shrunk to seconds, plus the world it schedules."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from opentelemetry.sdk.trace import TracerProvider

from cmis_scheduler.bootstrap import SchedulerService
from cmis_scheduler.settings import SchedulerSettings
from cmis_shared.runtime import ServiceRuntime
from cmis_shared.settings import CmisSettings
from cmis_shared.topology import Topology
from tests.integration.scheduler.world import QueueReader, World

FAST = {
    "tick_seconds": 0.1,
    "outbox_poll_seconds": 0.1,
    "outbox_lease_seconds": 2.0,
    "default_rate_budget_per_minute": 60_000,
    "catch_up_after_seconds": 60,
    "catch_up_spread_seconds": 2,
    "retry_conflict_delay_seconds": 0.5,
    "exchange_rate_feed_url": None,  # tests/integration/scheduler/test_exchange_rates.py
}


def scheduler_settings(settings: CmisSettings, **overrides: object) -> SchedulerSettings:
    return SchedulerSettings(
        **{**settings.model_dump(), "service_name": "scheduler", **FAST, **overrides}
    )


StartScheduler = Callable[..., Awaitable[SchedulerService]]


@pytest.fixture
async def start_scheduler(
    settings: CmisSettings, tracer_provider: TracerProvider
) -> AsyncIterator[StartScheduler]:
    """Start one in-process scheduler (overrides go to its settings); stopped at teardown."""
    started: list[SchedulerService] = []

    async def start(**overrides: object) -> SchedulerService:
        runtime = ServiceRuntime(scheduler_settings(settings, **overrides), tracer_provider)
        service = SchedulerService(runtime, runtime.settings)  # type: ignore[arg-type]
        await runtime.connect()
        service.subscribe()
        await runtime.broker.start()
        runtime.start_relay()
        await service.start()
        started.append(service)
        return service

    yield start
    for service in started:
        await stop(service)


async def stop(service: SchedulerService) -> None:
    await service.runtime.stop_background()
    await service.runtime.dispose()
    await service.close()


@pytest.fixture
async def world(start_scheduler: StartScheduler, settings: CmisSettings) -> AsyncIterator[World]:
    runtime = ServiceRuntime(settings)  # only for its session factory
    world = World(runtime.sessions)
    yield world
    await world.cleanup()
    await runtime.engine.dispose()


@pytest.fixture
async def worker_queue(settings: CmisSettings) -> AsyncIterator[QueueReader]:
    """The sync-worker's request queue (declared by the scheduler's runtime)."""
    async with QueueReader(settings.rabbit_url, Topology(settings.namespace), "sync-worker") as q:
        yield q


@pytest.fixture
async def dashboard_queue(settings: CmisSettings) -> AsyncIterator[QueueReader]:
    """dashboard-api's queue binds every routing key: it sees every event published."""
    async with QueueReader(settings.rabbit_url, Topology(settings.namespace), "dashboard-api") as q:
        yield q
