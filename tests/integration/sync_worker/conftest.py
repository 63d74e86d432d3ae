"""Fixtures: worker settings on the test's namespace pointing at the platform simulator, an
in-process worker (clock at noon of the simulator's last day), an event collector."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider

from cmis_shared.settings import CmisSettings
from cmis_sync_worker.bootstrap import SyncWorker
from cmis_sync_worker.settings import SyncWorkerSettings
from tests.integration.sync_worker.world import SIM_NOW, EventCollector
from tests.support.platform_sim import X_CONSUMER, PlatformSim


def worker_settings_for(
    settings: CmisSettings, platform_sim: PlatformSim, **overrides: Any
) -> SyncWorkerSettings:
    platforms = {**X_CONSUMER, **overrides.pop("platforms", {})}
    fields = settings.model_dump()
    fields.update(service_name="sync-worker", platform_sim_url=platform_sim.base_url)
    # Expectations here are per lookback window; the first-sync backfill has unit tests and
    # the end-to-end dashboard test.
    fields.update(backfill_days=1)
    fields.update(platforms=platforms, **overrides)
    return SyncWorkerSettings(**fields)


@pytest.fixture
def worker_settings(settings: CmisSettings, platform_sim: PlatformSim) -> SyncWorkerSettings:
    return worker_settings_for(settings, platform_sim)


WorkerFactory = Callable[..., Any]


@pytest.fixture
async def start_worker(
    settings: CmisSettings, platform_sim: PlatformSim, tracer_provider: TracerProvider
) -> AsyncIterator[WorkerFactory]:
    """Start an in-process worker with optional setting overrides; stopped after the test."""
    started: list[SyncWorker] = []

    async def start(**overrides: Any) -> SyncWorker:
        worker = SyncWorker(
            worker_settings_for(settings, platform_sim, **overrides),
            tracer_provider,
            clock=lambda: SIM_NOW,
        )
        await worker.runtime.connect()
        await worker.open()
        await worker.runtime.broker.start()
        worker.runtime.start_relay()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        await worker.runtime.stop_background()
        await worker.runtime.dispose()
        await worker.close()


@pytest.fixture
async def worker(start_worker: WorkerFactory) -> SyncWorker:
    return await start_worker()  # type: ignore[no-any-return]


@pytest.fixture
async def collector(settings: CmisSettings) -> AsyncIterator[EventCollector]:
    from cmis_shared.topology import Topology

    events = EventCollector(settings.rabbit_url, Topology(settings.namespace))
    await events.start()
    yield events
    await events.stop()
