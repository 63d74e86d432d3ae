"""Entries follow the integrations table: reconciled at start-up, changed by events."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from cmis_scheduler.adapters.queries import next_syncs
from cmis_shared.events import IntegrationConnected, IntegrationDisconnected, IntegrationUpdated
from cmis_shared.uow import UnitOfWork
from tests.integration.scheduler.conftest import StartScheduler
from tests.integration.scheduler.world import World
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


async def test_start_up_gives_seeded_active_integrations_their_entries(
    world: World, start_scheduler: StartScheduler
) -> None:
    org = await world.org({"schedules": {"metrics_seconds": 1800}}, timezone="Europe/Berlin")
    active = await world.integrations(org, 3, ("google", "meta", "tiktok"))
    paused = await world.integrations(org, 1, status="paused")

    service = await start_scheduler()

    rows = await world.entries(active + paused)
    assert {(row.integration_id, row.data_type) for row in rows} == {
        (i, d) for i in active for d in ("metrics", "campaigns", "all")
    }
    now = datetime.now(UTC)
    for row in rows:
        assert row.enabled
        assert now < row.next_due_at <= now + timedelta(seconds=row.period_seconds)
    assert {row.period_seconds for row in rows if row.data_type == "metrics"} == {1800}
    async with service.runtime.sessions() as session:
        shown = await next_syncs(session, org)
    assert sorted((s.integration_id, s.data_type) for s in shown) == sorted(
        (row.integration_id, row.data_type) for row in rows
    )
    assert all(s.retry_due_at is None for s in shown)


async def test_integration_events_add_disable_and_reenable_entries(
    world: World, start_scheduler: StartScheduler
) -> None:
    service = await start_scheduler()
    org = await world.org()
    [integration] = await world.integrations(org, 1, ("linkedin",))
    facts = {"org_id": org, "integration_id": integration, "platform": "linkedin",
             "account_id": "acc", "account_name": "Account"}  # fmt: skip

    async def publish(event: object) -> None:
        async with UnitOfWork(service.runtime.sessions) as uow:
            await uow.publish(event)  # type: ignore[arg-type]
            await uow.commit()

    async def enabled() -> set[str]:
        return {row.data_type for row in await world.entries([integration]) if row.enabled}

    await world.sql("DELETE FROM schedule_entries WHERE integration_id = :id", id=integration)
    await publish(IntegrationConnected(**facts, status="active"))
    await eventually(lambda: _equals(enabled(), {"metrics", "campaigns", "all"}))

    await world.sql("UPDATE integrations SET status = 'paused' WHERE id = :id", id=integration)
    await publish(IntegrationUpdated(**facts, status="paused"))
    await eventually(lambda: _equals(enabled(), set()))

    await world.sql("UPDATE integrations SET status = 'active' WHERE id = :id", id=integration)
    await publish(IntegrationUpdated(**facts, status="active"))
    await eventually(lambda: _equals(enabled(), {"metrics", "campaigns", "all"}))

    await world.sql(
        "UPDATE integrations SET status = 'disconnected' WHERE id = :id", id=integration
    )
    await publish(IntegrationDisconnected(org_id=org, integration_id=integration,
                                          platform="linkedin"))  # fmt: skip
    await eventually(lambda: _equals(enabled(), set()))
    assert len(await world.entries([integration])) == 3  # kept, disabled


async def _equals(actual: object, expected: set[str]) -> bool:
    return await actual == expected  # type: ignore[misc]


async def test_reconciling_twice_changes_nothing(
    world: World, start_scheduler: StartScheduler
) -> None:
    org = await world.org()
    ids = await world.integrations(org, 5, ("twitter",))
    first = await start_scheduler()
    before = await world.entries(ids)
    await first.prepare()
    assert await world.entries(ids) == before
    assert uuid.UUID(int=0) not in ids
