"""``daily_metrics`` partitioned by month (migration 0015) on PostgreSQL: the scheduler's
maintenance pass creates the months ahead, a row of a month without its partition lands in
the DEFAULT one and moves into the month's partition when that is created, and the upsert's
ON CONFLICT key, the cascade from integrations and the org/day index still hold."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.integration.scheduler.conftest import StartScheduler
from tests.integration.scheduler.world import METRICS_ONLY, World

pytestmark = pytest.mark.integration

_INSERT = (
    "INSERT INTO daily_metrics (integration_id, campaign_external_id, day, org_id, currency, "
    "impressions, clicks, spend, conversions, conversion_value) "
    "VALUES (:integration, 'c1', :day, :org, 'USD', :impressions, 1, 1, 0, 0) "
    "ON CONFLICT (integration_id, campaign_external_id, day) "
    "DO UPDATE SET impressions = EXCLUDED.impressions"
)


async def _partition_of(world: World, day: date) -> str:
    rows = await world.rows(
        "SELECT tableoid::regclass::text AS part FROM daily_metrics WHERE day = :day", day=day
    )
    return str(rows[0].part)


async def test_months_ahead_are_created_and_a_default_row_moves_into_its_month(
    world: World, start_scheduler: StartScheduler
) -> None:
    now = datetime.now(UTC)
    service = await start_scheduler()
    org = await world.org(METRICS_ONLY)
    (integration,) = await world.integrations(org, 1)
    far = date(now.year + 9, 5, 17)  # no partition yet: the DEFAULT one takes it
    await world.sql(_INSERT, integration=integration, day=far, org=org, impressions=1)
    await world.sql(_INSERT, integration=integration, day=far, org=org, impressions=2)
    assert await _partition_of(world, far) == "daily_metrics_default"

    await service.ensure_partitions()  # the months around now exist already: none created
    assert await service.ensure_partitions() == 0
    ahead = date(now.year + (now.month + 2) // 12, (now.month + 2) % 12 + 1, 1)
    await world.sql(_INSERT, integration=integration, day=ahead, org=org, impressions=5)
    assert await _partition_of(world, ahead) == f"daily_metrics_{ahead:%Y_%m}"

    async with service.uows() as uow:  # the adapter the maintenance pass calls
        assert await uow.retention.ensure_metric_partitions(far, far) == 1
        await uow.commit()
    assert await _partition_of(world, far) == f"daily_metrics_{far:%Y_%m}"
    rows = await world.rows(
        "SELECT day, impressions FROM daily_metrics WHERE org_id = :org AND day >= :from "
        "ORDER BY day",
        org=org, **{"from": ahead},
    )  # fmt: skip
    assert [(row.day, row.impressions) for row in rows] == [(ahead, 5), (far, 2)]

    await world.sql("DELETE FROM integrations WHERE id = :id", id=integration)
    left = await world.rows("SELECT count(*) AS n FROM daily_metrics WHERE org_id = :org", org=org)
    assert left[0].n == 0
