"""The stale-integration gauge on PostgreSQL: an active integration's schedule counts as stale
when no run of its data type (or a full sync) succeeded within twice its period; a success
inside the window, a young integration, a paused one or a disabled entry do not count."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.integration.scheduler.conftest import StartScheduler
from tests.integration.scheduler.world import METRICS_ONLY, World

pytestmark = pytest.mark.integration
HOUR = timedelta(hours=1)


async def succeeded(
    world: World, org: uuid.UUID, integration: uuid.UUID, ago: timedelta, data_type: str = "metrics"
) -> None:
    at = datetime.now(UTC) - ago
    await world.sql(
        "INSERT INTO sync_runs (id, org_id, integration_id, platform, data_type, trigger, "
        "correlation_id, status, attempt, requested_at, finished_at, counts) VALUES "
        "(gen_random_uuid(), :org, :integration, 'google', :data_type, 'scheduled', "
        "gen_random_uuid(), 'success', 1, :at, :at, '{}')",
        org=org, integration=integration, at=at, data_type=data_type,
    )  # fmt: skip


def gauge(service: object, platform: str, data_type: str) -> float | None:
    registry = service.runtime.metrics  # type: ignore[attr-defined]
    return registry.get_sample_value(  # type: ignore[no-any-return]
        "cmis_stale_integrations", {"platform": platform, "data_type": data_type}
    )


async def test_the_gauge_counts_integrations_without_a_recent_success(
    world: World, start_scheduler: StartScheduler
) -> None:
    org = await world.org(METRICS_ONLY)  # metrics every hour: stale after 2 h without success
    fresh, stale, never, young, paused, disabled = await world.integrations(org, 6)
    await world.sql(
        "UPDATE integrations SET created_at = now() - interval '3 days' WHERE id <> :young",
        young=young,
    )  # fmt: skip
    await world.sql("UPDATE integrations SET status = 'paused' WHERE id = :id", id=paused)
    service = await start_scheduler()  # reconciles: one metrics entry per integration
    await world.sql(
        "UPDATE schedule_entries SET enabled = false WHERE integration_id = :id", id=disabled
    )
    await succeeded(world, org, fresh, ago=HOUR)
    await succeeded(world, org, stale, ago=3 * HOUR)

    assert await service.report_stale() == 2  # `stale` and `never`
    assert gauge(service, "google", "metrics") == 2
    assert gauge(service, "meta", "metrics") == 0  # every pair is reported, zero when none

    await succeeded(world, org, stale, ago=timedelta(minutes=1))
    await succeeded(world, org, never, ago=timedelta(minutes=1), data_type="all")  # covers metrics
    assert await service.report_stale() == 0
    assert gauge(service, "google", "metrics") == 0
