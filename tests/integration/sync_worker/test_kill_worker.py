"""A ``cmis-sync-worker`` process killed with SIGKILL in the middle of a few hundred syncs
loses nothing: its unacked requests return to the queue, a second process finishes them,
every request ends with exactly one terminal outcome and the data equals a clean run's
(the simulator's dataset)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from faststream.rabbit import RabbitBroker
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cmis_shared.db.engine import create_engine, create_session_factory
from cmis_shared.events import DataType, Platform, SyncCompleted
from cmis_shared.settings import CmisSettings
from cmis_shared.topology import Topology
from tests.integration.sync_worker.conftest import worker_settings_for
from tests.integration.sync_worker.stored import (
    expected_campaigns,
    expected_metrics,
    expected_posts,
    stored_campaigns,
    stored_metrics,
    stored_posts,
)
from tests.integration.sync_worker.world import (
    EventCollector,
    SeededIntegration,
    queue_run,
    seed_integration,
    worker_env,
)
from tests.support.platform_sim import END_DATE, PlatformSim
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

INTEGRATIONS = 100  # x 3 data types = 300 syncs
WINDOW = (END_DATE - timedelta(days=6), END_DATE)
POSTS_WINDOW = (END_DATE - timedelta(days=40), END_DATE)
POSTS_SINCE = datetime.combine(POSTS_WINDOW[0], datetime.min.time(), tzinfo=UTC)
WORKER = str(Path(sys.executable).parent / "cmis-sync-worker")


def _account_id(platform: Platform, sim: PlatformSim, n: int) -> str:
    """A distinct account per integration (the simulator serves any id)."""
    first = sim.dataset.account_ids(platform.value)[0]
    return f"18ce5{1000 + n:05x}" if platform is Platform.TWITTER else str(int(first) + 1000 + n)


def _spawn(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [WORKER], env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


async def _finished_attempts(
    sessions: async_sessionmaker[AsyncSession], run_ids: list[object]
) -> int:
    async with sessions() as session:
        return int(
            await session.scalar(
                text(
                    "SELECT count(*) FROM sync_attempts "
                    "WHERE run_id = ANY(:ids) AND finished_at IS NOT NULL"
                ),
                {"ids": run_ids},
            )
            or 0
        )


async def test_kill_9_mid_run_then_every_request_ends_once_with_clean_data(
    settings: CmisSettings, platform_sim: PlatformSim, collector: EventCollector
) -> None:
    # Short leases: the killed worker's limiter slots and claimed outbox rows free up fast.
    worker_settings = worker_settings_for(
        settings, platform_sim, prefetch_count=32, limiter_lease_seconds=3, outbox_lease_seconds=3
    )
    env = worker_env(worker_settings)
    engine = create_engine(worker_settings)
    sessions = create_session_factory(engine)
    platforms = list(Platform)
    integrations: list[SeededIntegration] = []
    for n in range(INTEGRATIONS):
        platform = platforms[n % len(platforms)]
        account_id = _account_id(platform, platform_sim, n)
        account = platform_sim.dataset.account(platform.value, account_id)
        integrations.append(
            await seed_integration(
                sessions, worker_settings, platform, account_id,
                currency=account.currency, timezone=account.timezone,
            )
        )  # fmt: skip
    requests = []
    for integration in integrations:
        for data_type in (DataType.CAMPAIGNS, DataType.METRICS, DataType.POSTS):
            window = POSTS_WINDOW if data_type is DataType.POSTS else WINDOW
            requests.append(await queue_run(sessions, integration, data_type, window=window))
    run_ids: list[object] = [r.run_id for r in requests]

    await _declare_topology(worker_settings)  # requests published before a worker is up
    first = _spawn(env)
    try:
        for request in requests:
            await collector.publish(request)
        await eventually(
            lambda: _at_least(sessions, run_ids, len(requests) // 4), within=60, every=0.02
        )
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    finished_at_kill = await _finished_attempts(sessions, run_ids)
    assert finished_at_kill < len(requests), "the worker finished everything before the kill"

    second = _spawn(env)
    try:
        await eventually(lambda: _at_least(sessions, run_ids, len(requests)), within=60, every=0.1)
        # Outcome events the killed relay had claimed go out once its lease expires.
        try:
            await eventually(lambda: len(_ours(collector, requests)) == len(requests), within=30)
        except AssertionError:
            raise AssertionError(await _diagnose(sessions, collector, requests)) from None
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)
    assert second.returncode == 0

    outcomes = _ours(collector, requests)  # the shared test database may relay others' events
    assert set(outcomes) == {(r.run_id, 1) for r in requests}
    assert all(len(event_ids) == 1 for event_ids in outcomes.values())
    assert all(isinstance(collector.outcome(r.run_id), SyncCompleted) for r in requests)
    async with sessions() as session:
        statuses = (
            await session.execute(
                text("SELECT status, count(*) FROM sync_runs WHERE id = ANY(:ids) GROUP BY status"),
                {"ids": run_ids},
            )
        ).all()
        attempts = await session.scalar(
            text("SELECT count(*) FROM sync_attempts WHERE run_id = ANY(:ids)"), {"ids": run_ids}
        )
    assert dict(statuses) == {"success": len(requests)} and attempts == len(requests)

    ds = platform_sim.dataset
    for integration in integrations:
        iid, platform, account_id = (
            integration.integration_id, integration.platform, integration.account_id,
        )  # fmt: skip
        assert await stored_campaigns(sessions, iid) == expected_campaigns(ds, platform, account_id)
        assert await stored_metrics(sessions, iid) == expected_metrics(
            ds, platform, account_id, *WINDOW
        )
        assert await stored_posts(sessions, iid) == expected_posts(ds, platform, POSTS_SINCE)
    await engine.dispose()


def _ours(collector: EventCollector, requests: list[Any]) -> dict[Any, set[Any]]:
    run_ids = {r.run_id for r in requests}
    return {key: ids for key, ids in collector.outcomes().items() if key[0] in run_ids}


async def _diagnose(
    sessions: async_sessionmaker[AsyncSession], collector: EventCollector, requests: list[Any]
) -> str:
    seen = {run_id for run_id, _ in collector.outcomes()}
    missing = [r.run_id for r in requests if r.run_id not in seen]
    async with sessions() as session:
        outbox = (
            await session.execute(
                text(
                    "SELECT routing_key, lease_until IS NOT NULL AS leased, count(*) FROM outbox "
                    "GROUP BY 1, 2"
                )
            )
        ).all()
    return (
        f"{len(missing)} outcomes missing; outbox now: {outbox}; deliveries {collector.deliveries}"
    )


async def _declare_topology(settings: CmisSettings) -> None:
    broker = RabbitBroker(settings.rabbit_url)
    await broker.connect()
    try:
        await Topology(settings.namespace).declare(broker)
    finally:
        await broker.stop()


async def _at_least(
    sessions: async_sessionmaker[AsyncSession], run_ids: list[object], count: int
) -> bool:
    return await _finished_attempts(sessions, run_ids) >= count
