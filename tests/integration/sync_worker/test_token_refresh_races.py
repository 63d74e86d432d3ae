"""Token refreshes that race: one refresh per integration at a time (a rotating grant is
refreshed once by two concurrent syncs, and both succeed), and a user's reconnect during a
sync is never overwritten by the worker's refresh."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import text

from cmis_shared.crypto import TokenCipher
from cmis_shared.events import DataType, Platform, SyncCompleted
from cmis_sync_worker.bootstrap import SyncWorker
from tests.integration.sync_worker.world import (
    SIM_NOW,
    EventCollector,
    SeededIntegration,
    queue_run,
    seed_integration,
)
from tests.support.platform_sim import PlatformSim
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


async def _seed_expiring(worker: SyncWorker, sim: PlatformSim) -> SeededIntegration:
    account_id = sim.dataset.account_ids("google")[0]
    account = sim.dataset.account("google", account_id)
    return await seed_integration(
        worker.runtime.sessions, worker.settings, Platform.GOOGLE, account_id,
        currency=account.currency, timezone=account.timezone,
        token_expires_at=SIM_NOW + timedelta(seconds=30),
        refresh_token=f"sim-rotating-{uuid.uuid4().hex}",  # single use: unique per test
    )  # fmt: skip


async def _stored(worker: SyncWorker, integration: SeededIntegration) -> tuple[dict[str, str], int]:
    async with worker.runtime.sessions() as session:
        row = (
            await session.execute(
                text(
                    "SELECT credentials_encrypted, credentials_version FROM integrations "
                    "WHERE id = :id"
                ),
                {"id": integration.integration_id},
            )
        ).one()
    return TokenCipher(worker.settings.encryption_keys).decrypt(row[0]), row[1]


async def test_two_concurrent_syncs_refresh_a_rotating_grant_once_and_both_succeed(
    worker: SyncWorker, collector: EventCollector, platform_sim: PlatformSim
) -> None:
    integration = await _seed_expiring(worker, platform_sim)
    # A slow token endpoint, so both syncs want a refresh while the first one is under way.
    platform_sim.add_fault(kind="slow", platform="google", path_contains="token", delay_ms=500)
    first = await queue_run(worker.runtime.sessions, integration, DataType.CAMPAIGNS)
    second = await queue_run(worker.runtime.sessions, integration, DataType.METRICS)
    await collector.publish(first)
    await collector.publish(second)

    def both_done() -> bool:
        return all(collector.outcome(r.run_id) is not None for r in (first, second))

    await eventually(both_done, within=60)
    assert isinstance(collector.outcome(first.run_id), SyncCompleted)
    assert isinstance(collector.outcome(second.run_id), SyncCompleted)
    assert platform_sim.calls()["by_route"].get("google.token") == 1
    stored, version = await _stored(worker, integration)
    assert stored["refresh_token"].startswith("sim-rotating-google-")
    assert version == 1


async def test_a_reconnect_during_the_sync_is_not_overwritten(
    worker: SyncWorker, collector: EventCollector, platform_sim: PlatformSim
) -> None:
    integration = await _seed_expiring(worker, platform_sim)
    platform_sim.add_fault(kind="slow", platform="google", path_contains="token", delay_ms=1500)
    request = await queue_run(worker.runtime.sessions, integration, DataType.CAMPAIGNS)
    await collector.publish(request)
    await eventually(lambda: platform_sim.calls()["by_route"].get("google.token") == 1, within=60)

    # The user reconnects while the worker waits for the platform: what the API writes.
    reconnected = {"access_token": "sim-reconnected", "refresh_token": "sim-refresh-reconnected"}
    async with worker.runtime.sessions() as session, session.begin():
        await session.execute(
            text(
                "UPDATE integrations SET credentials_encrypted = :c, "
                "credentials_version = credentials_version + 1 WHERE id = :id"
            ),
            {
                "c": TokenCipher(worker.settings.encryption_keys).encrypt(reconnected),
                "id": integration.integration_id,
            },
        )

    await eventually(lambda: collector.outcome(request.run_id) is not None, within=60)
    assert isinstance(collector.outcome(request.run_id), SyncCompleted)
    stored, version = await _stored(worker, integration)
    assert stored["access_token"] == "sim-reconnected"
    assert stored["refresh_token"] == "sim-refresh-reconnected"
    assert version == 1
