"""A broker-only service built with ServiceRuntime.faststream_app starts, relays, and stops."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy import text

from cmis_shared.events import SyncRequested
from cmis_shared.runtime import ServiceRuntime
from cmis_shared.settings import CmisSettings
from cmis_shared.uow import UnitOfWork
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


async def test_faststream_app_runs_hooks_on_the_loop_and_stops_on_exit(
    settings: CmisSettings, tracer_provider: TracerProvider
) -> None:
    runtime = ServiceRuntime(settings, tracer_provider)
    loops_started: list[str] = []

    def plain_hook() -> None:  # a plain function must still run on the event loop
        asyncio.get_running_loop()
        loops_started.append("plain")

    async def service_loop() -> None:
        await asyncio.Event().wait()

    async def async_hook() -> None:
        runtime.start_background(service_loop, "service-loop")
        loops_started.append("async")

    app = runtime.faststream_app(after_startup=[plain_hook, async_hook])
    running = asyncio.create_task(app.run())
    await eventually(lambda: len(loops_started) == 2)

    event = SyncRequested(
        org_id=uuid.uuid4(),
        run_id=uuid.uuid4(),
        integration_id=uuid.uuid4(),
        platform="linkedin",
        data_type="posts",
        trigger="manual",
        attempt=1,
    )
    async with UnitOfWork(runtime.sessions) as uow:
        await uow.publish(event)
        await uow.commit()

    async def relayed() -> bool:
        async with runtime.sessions() as session:
            pending = await session.execute(text("SELECT count(*) FROM outbox WHERE id = :id"),
                                            {"id": event.event_id})  # fmt: skip
            return pending.scalar_one() == 0

    await eventually(relayed)  # the relay was started by faststream_app

    app.exit()
    await asyncio.wait_for(running, 60)  # a limit, not a measurement
    assert sorted(loops_started) == ["async", "plain"]
