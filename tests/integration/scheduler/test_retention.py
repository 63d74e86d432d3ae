"""Retention on PostgreSQL: old inbox rows, terminal runs (with their attempts) and
dispatched retry entries go, in bounded batches; everything recent or still active stays."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.integration.scheduler.conftest import StartScheduler
from tests.integration.scheduler.world import METRICS_ONLY, World

pytestmark = pytest.mark.integration


async def run(
    world: World, org: uuid.UUID, integration: uuid.UUID, status: str, days: int
) -> uuid.UUID:
    run_id, at = uuid.uuid4(), datetime.now(UTC) - timedelta(days=days)
    await world.sql(
        "INSERT INTO sync_runs (id, org_id, integration_id, platform, data_type, trigger, "
        "correlation_id, status, attempt, requested_at, finished_at, counts) VALUES (:id, :org, "
        ":integration, 'google', 'metrics', 'scheduled', gen_random_uuid(), :status, 1, :at, "
        ":at, '{}')",
        id=run_id, org=org, integration=integration, status=status, at=at,
    )  # fmt: skip
    await world.sql(
        "INSERT INTO sync_attempts (id, run_id, attempt, started_at, finished_at) "
        "VALUES (gen_random_uuid(), :id, 1, :at, :at)",
        id=run_id, at=at,
    )  # fmt: skip
    await world.sql(
        "INSERT INTO retry_entries (id, run_id, org_id, integration_id, platform, data_type, "
        "attempt, correlation_id, due_at, dispatched_at) VALUES (gen_random_uuid(), :id, :org, "
        ":integration, 'google', 'metrics', 2, gen_random_uuid(), :at, :dispatched)",
        id=run_id, org=org, integration=integration, at=at,
        dispatched=at if status != "retrying" else None,
    )  # fmt: skip
    return run_id


async def test_old_rows_go_in_batches_and_recent_or_active_ones_stay(
    world: World, start_scheduler: StartScheduler
) -> None:
    service = await start_scheduler(retention_batch_size=2)
    org = await world.org(METRICS_ONLY)
    integrations = await world.integrations(org, 6)
    old = [await run(world, org, i, "success", 100) for i in integrations[:3]]
    old.append(await run(world, org, integrations[3], "failed", 95))
    kept = [
        await run(world, org, integrations[4], "success", 80),
        await run(world, org, integrations[5], "retrying", 120),  # not terminal
    ]
    consumer = f"retention-test-{uuid.uuid4()}"
    for days in (31, 40, 45, 50, 5):
        await world.sql(
            "INSERT INTO processed_events (consumer, event_id, processed_at) "
            "VALUES (:consumer, gen_random_uuid(), now() - make_interval(days => :days))",
            consumer=consumer, days=days,
        )  # fmt: skip

    deleted = await service.purge_expired()

    assert deleted["sync_runs"] == 4 and deleted["processed_events"] >= 4
    runs = await world.rows("SELECT id FROM sync_runs WHERE org_id = :org", org=org)
    assert {row.id for row in runs} == set(kept)
    attempts = await world.rows(
        "SELECT run_id FROM sync_attempts WHERE run_id = ANY(:ids)", ids=old + kept
    )
    assert {row.run_id for row in attempts} == set(kept)
    retries = await world.rows(
        "SELECT run_id, dispatched_at FROM retry_entries WHERE run_id = ANY(:ids)", ids=kept
    )
    assert {row.run_id for row in retries} == set(kept)
    inbox = await world.rows(
        "SELECT processed_at FROM processed_events WHERE consumer = :c", c=consumer
    )
    assert len(inbox) == 1
