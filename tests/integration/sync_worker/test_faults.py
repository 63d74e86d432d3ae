"""Every fault the simulator injects ends as it should: the right error class, retry or not,
when (Retry-After), a refreshed token stored and announced, no data from failed attempts."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import aio_pika
import pytest
from sqlalchemy import text

from cmis_shared.consumer import REASON_HEADER
from cmis_shared.crypto import TokenCipher
from cmis_shared.events import (
    DataType,
    ErrorClass,
    IntegrationUpdated,
    Platform,
    SyncCompleted,
    SyncFailed,
    SyncRequested,
)
from cmis_sync_worker.bootstrap import SyncWorker
from tests.integration.sync_worker.conftest import WorkerFactory
from tests.integration.sync_worker.stored import expected_campaigns, stored_campaigns
from tests.integration.sync_worker.world import (
    ACCESS_TOKEN,
    SIM_NOW,
    EventCollector,
    SeededIntegration,
    queue_run,
    retry_of,
    seed_integration,
)
from tests.support.platform_sim import PlatformSim
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


async def _seed(
    worker: SyncWorker, sim: PlatformSim, platform: Platform, **kwargs: Any
) -> SeededIntegration:
    account_id = sim.dataset.account_ids(platform.value)[2]
    account = sim.dataset.account(platform.value, account_id)
    return await seed_integration(
        worker.runtime.sessions, worker.settings, platform, account_id,
        currency=account.currency, timezone=account.timezone, **kwargs,
    )  # fmt: skip


async def _outcome(collector: EventCollector, request: SyncRequested) -> SyncCompleted | SyncFailed:
    def arrived() -> bool:
        found = collector.outcome(request.run_id)
        return found is not None and found.attempt == request.attempt

    await collector.publish(request)
    await eventually(arrived, within=60)
    outcome = collector.outcome(request.run_id)
    assert outcome is not None
    return outcome


async def _run_row(worker: SyncWorker, run_id: object) -> Any:
    async with worker.runtime.sessions() as session:
        return (
            await session.execute(
                text("SELECT status, next_attempt_at, error_class FROM sync_runs WHERE id = :id"),
                {"id": run_id},
            )
        ).one()


async def _attempts(worker: SyncWorker, run_id: object) -> list[Any]:
    async with worker.runtime.sessions() as session:
        rows = await session.execute(
            text(
                "SELECT attempt, outcome, error_origin, error_class, retryable, finished_at "
                "FROM sync_attempts WHERE run_id = :id ORDER BY attempt"
            ),
            {"id": run_id},
        )
        return list(rows)


@pytest.mark.parametrize(
    ("platform", "retry_after", "expected_wait"),
    [(Platform.LINKEDIN, 600, 600), (Platform.GOOGLE, 3, 60)],
    ids=["retry-after longer than backoff", "backoff longer than retry-after"],
)
async def test_rate_limit_says_when_to_retry(
    platform: Platform, retry_after: int, expected_wait: int,
    worker: SyncWorker, collector: EventCollector, platform_sim: PlatformSim,
) -> None:  # fmt: skip
    integration = await _seed(worker, platform_sim, platform)
    platform_sim.add_fault(
        kind="rate_limit", platform=platform.value, account=integration.account_id,
        retry_after=retry_after,
    )  # fmt: skip
    request = await queue_run(worker.runtime.sessions, integration, DataType.CAMPAIGNS)
    failed = await _outcome(collector, request)
    assert isinstance(failed, SyncFailed)
    assert failed.error_class is ErrorClass.RATE_LIMITED and failed.retryable and failed.will_retry
    assert failed.next_attempt_at == SIM_NOW + timedelta(seconds=expected_wait)
    run = await _run_row(worker, request.run_id)
    assert (run.status, run.next_attempt_at) == ("retrying", failed.next_attempt_at)
    (attempt,) = await _attempts(worker, request.run_id)
    assert (attempt.outcome, attempt.error_origin, attempt.error_class) == (
        "failed", "platform", "rate_limited",
    )  # fmt: skip
    assert await stored_campaigns(worker.runtime.sessions, integration.integration_id) == []


async def test_server_error_then_success_on_the_retry(
    worker: SyncWorker, collector: EventCollector, platform_sim: PlatformSim
) -> None:
    integration = await _seed(worker, platform_sim, Platform.GOOGLE)
    platform_sim.add_fault(
        kind="server_error", platform="google", account=integration.account_id, times=1
    )
    request = await queue_run(worker.runtime.sessions, integration, DataType.CAMPAIGNS)
    failed = await _outcome(collector, request)
    assert isinstance(failed, SyncFailed)
    assert failed.error_class is ErrorClass.PLATFORM_ERROR and failed.will_retry
    assert failed.next_attempt_at == SIM_NOW + timedelta(seconds=60)

    completed = await _outcome(collector, retry_of(request))
    assert isinstance(completed, SyncCompleted) and completed.attempt == 2
    assert completed.correlation_id == request.correlation_id
    assert [(a.attempt, a.outcome) for a in await _attempts(worker, request.run_id)] == [
        (1, "failed"), (2, "success"),
    ]  # fmt: skip
    assert (await _run_row(worker, request.run_id)).status == "success"
    assert await stored_campaigns(
        worker.runtime.sessions, integration.integration_id
    ) == expected_campaigns(platform_sim.dataset, Platform.GOOGLE, integration.account_id)


async def test_timeout_is_retryable(
    start_worker: WorkerFactory, collector: EventCollector, platform_sim: PlatformSim
) -> None:
    worker = await start_worker(platforms={"read_timeout_s": 0.3})
    integration = await _seed(worker, platform_sim, Platform.TIKTOK)
    platform_sim.add_fault(kind="timeout", platform="tiktok", account=integration.account_id)
    request = await queue_run(worker.runtime.sessions, integration, DataType.METRICS)
    failed = await _outcome(collector, request)
    assert isinstance(failed, SyncFailed)
    assert failed.error_class is ErrorClass.TIMEOUT and failed.retryable and failed.will_retry


async def test_malformed_body_fails_without_retry(
    worker: SyncWorker, collector: EventCollector, platform_sim: PlatformSim
) -> None:
    integration = await _seed(worker, platform_sim, Platform.META)
    platform_sim.add_fault(kind="malformed_json", platform="meta", account=integration.account_id)
    request = await queue_run(worker.runtime.sessions, integration, DataType.CAMPAIGNS)
    failed = await _outcome(collector, request)
    assert isinstance(failed, SyncFailed)
    assert failed.error_class is ErrorClass.INVALID_RESPONSE and not failed.will_retry
    assert (await _run_row(worker, request.run_id)).status == "failed"


async def _stored_token(worker: SyncWorker, integration: SeededIntegration) -> tuple[str, Any]:
    async with worker.runtime.sessions() as session:
        row = (
            await session.execute(
                text(
                    "SELECT credentials_encrypted, token_expires_at "
                    "FROM integrations WHERE id = :id"
                ),
                {"id": integration.integration_id},
            )
        ).one()
    cipher = TokenCipher(worker.settings.encryption_keys)
    return cipher.decrypt(row.credentials_encrypted)["access_token"], row.token_expires_at


@pytest.mark.parametrize(
    ("platform", "expires_in", "fault"),
    [
        (Platform.GOOGLE, timedelta(hours=2), True),  # the platform says expired mid-sync
        (Platform.LINKEDIN, timedelta(minutes=1), False),  # our margin refreshes before calling
    ],
    ids=["expired at the platform", "about to expire"],
)
async def test_expired_token_is_refreshed_stored_encrypted_and_announced(
    platform: Platform, expires_in: timedelta, fault: bool,
    worker: SyncWorker, collector: EventCollector, platform_sim: PlatformSim,
) -> None:  # fmt: skip
    integration = await _seed(worker, platform_sim, platform, token_expires_at=SIM_NOW + expires_in)
    if fault:
        platform_sim.add_fault(
            kind="token_expired", platform=platform.value, account=integration.account_id
        )
    request = await queue_run(worker.runtime.sessions, integration, DataType.CAMPAIGNS)
    completed = await _outcome(collector, request)
    assert isinstance(completed, SyncCompleted), completed

    token, expires_at = await _stored_token(worker, integration)
    assert token != ACCESS_TOKEN and token.startswith(f"sim-{platform.value}-")
    assert expires_at == completed.token_expires_at and expires_at > SIM_NOW + expires_in
    updates = [e for e in collector.events if isinstance(e, IntegrationUpdated)
               and e.integration_id == integration.integration_id]  # fmt: skip
    assert len(updates) == 1 and updates[0].token_expires_at == expires_at
    assert token not in updates[0].to_json().decode() + completed.to_json().decode()
    assert platform_sim.calls()["by_route"].get(f"{platform.value}.token", 0) >= 1


async def test_revoked_token_fails_without_retry(
    worker: SyncWorker, collector: EventCollector, platform_sim: PlatformSim
) -> None:
    integration = await _seed(worker, platform_sim, Platform.GOOGLE)
    platform_sim.add_fault(kind="auth_revoked", platform="google", account=integration.account_id)
    request = await queue_run(worker.runtime.sessions, integration, DataType.METRICS)
    failed = await _outcome(collector, request)
    assert isinstance(failed, SyncFailed)
    assert failed.error_class is ErrorClass.AUTH_REVOKED and not failed.will_retry
    assert ACCESS_TOKEN not in failed.message


async def test_expired_token_that_cannot_be_refreshed_fails_without_calling(
    worker: SyncWorker, collector: EventCollector, platform_sim: PlatformSim
) -> None:
    integration = await _seed(
        worker, platform_sim, Platform.META, token_expires_at=SIM_NOW - timedelta(minutes=1)
    )
    request = await queue_run(worker.runtime.sessions, integration, DataType.CAMPAIGNS)
    failed = await _outcome(collector, request)
    assert isinstance(failed, SyncFailed)
    assert failed.error_class is ErrorClass.TOKEN_EXPIRED and not failed.will_retry
    assert platform_sim.calls()["by_account"].get(f"meta:{integration.account_id}", 0) == 0


async def test_disconnected_integration_fails_without_retry(
    worker: SyncWorker, collector: EventCollector, platform_sim: PlatformSim
) -> None:
    integration = await _seed(worker, platform_sim, Platform.TWITTER, status="disconnected")
    request = await queue_run(worker.runtime.sessions, integration, DataType.POSTS)
    failed = await _outcome(collector, request)
    assert isinstance(failed, SyncFailed)
    assert failed.error_class is ErrorClass.INTEGRATION_UNAVAILABLE and not failed.will_retry


async def test_malformed_request_is_dead_lettered_with_its_reason(worker: SyncWorker) -> None:
    queue_name = worker.consumers[0].queue.name  # the manual lane
    await worker.runtime.broker.publish(b'{"event_type": "sync.requested"}', queue=queue_name)
    connection = await aio_pika.connect_robust(worker.settings.rabbit_url)
    async with connection:
        channel = await connection.channel()
        dead = await channel.get_queue(worker.runtime.topology.dead_letter_queue.name)
        for _ in range(200):
            message = await dead.get(fail=False)
            if message is not None:
                await message.ack()
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("nothing was dead-lettered")
    assert "run_id: Field required" in str(message.headers[REASON_HEADER])
    assert message.headers["x-cmis-source-queue"] == queue_name
