"""Manual triggers (outbox, no duplicates, rate limit), sync status and statistics."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import aio_pika
import httpx
import pytest

from cmis_dashboard_api.adapters.rate_limit import RateLimiter
from cmis_dashboard_api.bootstrap import Services
from cmis_shared.db.models import RetryEntry, ScheduleEntry, SyncAttempt, SyncRun
from cmis_shared.events import SyncRequested, parse_event
from tests.integration.dashboard_api.conftest import Tenant
from tests.integration.dashboard_api.test_dashboard_view import connect
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


async def _requests_in_worker_queue(services: Services) -> list[SyncRequested]:
    connection = await aio_pika.connect_robust(services.settings.rabbit_url)
    found: list[SyncRequested] = []
    async with connection:
        channel = await connection.channel()
        for lane in services.runtime.topology.queues("sync-worker"):
            queue = await channel.get_queue(lane.name)
            while (message := await queue.get(fail=False)) is not None:
                await message.ack()
                found.append(parse_event(message.body))  # type: ignore[arg-type]
    return found


async def test_trigger_queues_one_run_and_returns_it_while_active(
    client: httpx.AsyncClient, services: Services, tenant: Tenant
) -> None:
    integration_id = await connect(services, tenant)
    url = f"/api/orgs/{tenant.org_id}/sync/integrations/{integration_id}/trigger"
    first = await client.post(url, headers=tenant.headers, json={"data_type": "metrics"})
    assert first.status_code == 202, first.text
    [run] = first.json()["runs"]
    assert run["created"] is True and run["status"] == "queued"
    again = await client.post(
        f"/api/orgs/{tenant.org_id}/sync/trigger",
        headers=tenant.headers,
        json={"data_type": "metrics"},
    )
    assert again.status_code == 202
    assert [(r["run_id"], r["created"]) for r in again.json()["runs"]] == [(run["run_id"], False)]

    received: list[SyncRequested] = []

    async def arrived() -> bool:
        received.extend(await _requests_in_worker_queue(services))
        return len(received) >= 1

    await eventually(arrived)
    [event] = received
    assert str(event.run_id) == run["run_id"]
    assert event.trigger == "manual" and event.data_type == "metrics" and event.attempt == 1

    status = await client.get(f"/api/orgs/{tenant.org_id}/sync/status", headers=tenant.headers)
    [row] = status.json()["integrations"]
    assert row["status"] == "pending" and row["data_types"][0]["run_id"] == run["run_id"]


async def test_triggers_are_rate_limited_per_org(
    client: httpx.AsyncClient, services: Services, tenant: Tenant
) -> None:
    services.trigger_limiter = RateLimiter(services.redis, limit=1, window_seconds=60)
    url = f"/api/orgs/{tenant.org_id}/sync/trigger"
    assert (await client.post(url, headers=tenant.headers)).status_code == 202
    limited = await client.post(url, headers=tenant.headers)
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert limited.json()["error"]["code"] == "rate_limited"


async def test_status_detail_and_statistics(
    client: httpx.AsyncClient, services: Services, tenant: Tenant
) -> None:
    integration_id = await connect(services, tenant, "stats")
    now = datetime.now(UTC)
    async with services.runtime.sessions() as session, session.begin():
        runs = []
        for n, (status, seconds, error) in enumerate(
            [("success", 1, None), ("success", 3, None), ("retrying", 2, "rate_limited")]
        ):
            run = SyncRun(
                org_id=tenant.org_id,
                integration_id=integration_id,
                platform="google",
                data_type="campaigns" if n < 2 else "metrics",
                trigger="scheduled",
                correlation_id=uuid.uuid4(),
                status=status,
                attempt=1,
                requested_at=now - timedelta(minutes=10 - n),
                started_at=now - timedelta(minutes=10 - n),
                finished_at=now - timedelta(minutes=10 - n) + timedelta(seconds=seconds),
                error_class=error,
                error_message="429" if error else None,
                next_attempt_at=now + timedelta(minutes=1) if error else None,
            )
            session.add(run)
            runs.append(run)
        await session.flush()
        session.add(
            SyncAttempt(
                run_id=runs[2].id,
                attempt=1,
                started_at=now,
                finished_at=now,
                outcome="failed",
                error_class="rate_limited",
                retryable=True,
            )
        )
        session.add(
            RetryEntry(
                run_id=runs[2].id,
                org_id=tenant.org_id,
                integration_id=integration_id,
                platform="google",
                data_type="metrics",
                attempt=2,
                correlation_id=uuid.uuid4(),
                due_at=now + timedelta(minutes=1),
            )
        )
        session.add(
            ScheduleEntry(
                org_id=tenant.org_id,
                integration_id=integration_id,
                platform="google",
                data_type="metrics",
                period_seconds=3600,
                offset_seconds=0,
                next_due_at=now + timedelta(minutes=30),
            )
        )

    base = f"/api/orgs/{tenant.org_id}/sync"
    detail = await client.get(
        f"{base}/integrations/{integration_id}/status", headers=tenant.headers
    )
    assert detail.status_code == 200, detail.text
    body = detail.json()
    integration = body["integration"]
    assert integration["status"] == "failed" and integration["will_retry"] is True
    assert integration["last_error"]["error_class"] == "rate_limited"
    assert integration["next_retry_at"] is not None
    assert integration["next_scheduled_sync"] is not None
    assert [run["status"] for run in body["recent_runs"]] == ["retrying", "success", "success"]
    assert body["recent_runs"][0]["attempts"][0]["error_class"] == "rate_limited"

    stats = (await client.get(f"{base}/statistics", headers=tenant.headers)).json()
    assert stats["runs_by_outcome"] == {"success": 2, "retrying": 1}
    assert stats["success_rate"] == 1.0
    assert stats["duration_p50_ms"] == pytest.approx(2000)
    assert stats["failures_by_error_class"] == {"rate_limited": 1}
    assert stats["failures_by_platform"] == {"google": 1}
    assert stats["freshness"][0]["integration_id"] == str(integration_id)

    missing = await client.get(f"{base}/integrations/{uuid.uuid4()}/status", headers=tenant.headers)
    assert missing.status_code == 404


async def test_trigger_promotes_a_queued_scheduled_run_to_manual_priority(
    client: httpx.AsyncClient, services: Services, tenant: Tenant
) -> None:
    integration_id = await connect(services, tenant)
    await _requests_in_worker_queue(services)  # start from an empty worker queue
    run = SyncRun(
        org_id=tenant.org_id,
        integration_id=integration_id,
        platform="google",
        data_type="metrics",
        trigger="scheduled",
        correlation_id=uuid.uuid4(),
        status="queued",
        attempt=1,
    )
    async with services.runtime.sessions() as session, session.begin():
        session.add(run)
    url = f"/api/orgs/{tenant.org_id}/sync/integrations/{integration_id}/trigger"

    response = await client.post(url, headers=tenant.headers, json={"data_type": "metrics"})

    assert response.status_code == 202
    [returned] = response.json()["runs"]
    assert (returned["run_id"], returned["created"]) == (str(run.id), False)
    async with services.runtime.sessions() as session:
        stored = await session.get(SyncRun, run.id)
        assert stored is not None and stored.trigger == "manual"
    requests: list[SyncRequested] = []

    async def relayed() -> bool:  # the outbox relay publishes it shortly after the commit
        requests.extend(r for r in await _requests_in_worker_queue(services) if r.run_id == run.id)
        return bool(requests)

    await eventually(relayed)
    [request] = requests
    assert (request.trigger, request.attempt) == ("manual", 1)
    assert request.correlation_id == run.correlation_id
