"""Server-Sent Events over a real HTTP server: a client sees sync status changes as they
happen; another org's stream answers 404."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from cmis_dashboard_api.bootstrap import Services
from cmis_shared.events import SyncStarted
from tests.integration.dashboard_api.conftest import Tenant
from tests.integration.dashboard_api.test_dashboard_view import connect, publish

pytestmark = pytest.mark.integration


async def _events(response: httpx.Response) -> AsyncIterator[tuple[str, dict]]:
    kind = ""
    async for line in response.aiter_lines():
        if line.startswith("event:"):
            kind = line.split(":", 1)[1].strip()
        elif line.startswith("data:"):
            yield kind, json.loads(line.split(":", 1)[1])


async def test_stream_pushes_sync_status_changes(
    base_url: str, services: Services, tenant: Tenant, other_tenant: Tenant
) -> None:
    integration_id = await connect(services, tenant)
    url = f"{base_url}/api/orgs/{tenant.org_id}/events"
    async with httpx.AsyncClient(timeout=10) as http:
        denied = await http.get(url, headers=other_tenant.headers)
        assert denied.status_code == 404
        async with http.stream("GET", url, headers=tenant.headers) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            events = _events(response)
            assert (await anext(events))[0] == "ready"
            await services.live.ready.wait()
            event = SyncStarted(
                org_id=tenant.org_id,
                run_id=uuid.uuid4(),
                integration_id=integration_id,
                platform="google",
                data_type="posts",
                trigger="manual",
                attempt=1,
                started_at=datetime.now(UTC),
            )
            await publish(services, event)
            async with asyncio.timeout(60):  # a limit, not a measurement
                async for kind, data in events:
                    if kind == "sync_status" and data["event_type"] == "sync.started":
                        break
            assert data["status"] == "syncing"
            assert data["integration_id"] == str(integration_id)


async def test_stream_survives_the_hubs_redis_connection_being_killed(
    base_url: str, services: Services, tenant: Tenant
) -> None:
    url = f"{base_url}/api/orgs/{tenant.org_id}/events"
    received: asyncio.Queue[tuple[str, dict]] = asyncio.Queue()

    async def read(response: httpx.Response) -> None:
        async for item in _events(response):
            await received.put(item)

    async with (
        httpx.AsyncClient(timeout=10) as http,
        http.stream("GET", url, headers=tenant.headers) as response,
    ):
        reader = asyncio.create_task(read(response))
        try:
            assert (await asyncio.wait_for(received.get(), 60))[0] == "ready"
            await services.live.ready.wait()
            # Kill only this hub's own subscription connection, found by its client name.
            clients = await services.redis.client_list()
            [hub] = [c for c in clients if c.get("name") == services.live.client_name]
            await services.redis.execute_command("CLIENT", "KILL", "ID", hub["id"])
            async with asyncio.timeout(60):
                while True:  # publish until the resubscribed hub hands one to the stream
                    await services.live.publish(tenant.org_id, "dashboard", {"section": "probe"})
                    try:
                        kind, data = await asyncio.wait_for(received.get(), 0.5)
                    except TimeoutError:
                        continue
                    if kind == "dashboard" and data.get("section") == "probe":
                        break
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
    renewed = await services.redis.client_list()
    assert [c for c in renewed if c.get("name") == services.live.client_name]
