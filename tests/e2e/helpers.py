"""What a frontend does against the running system: connect accounts, follow the live stream,
read the dashboard; and what the simulator says the figures must be."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from cmis_shared.events import Platform
from cmis_sync_worker.domain.window import account_today
from tests.e2e.conftest import System, Tenant
from tests.support.waiting import eventually

ACCOUNT_EXTRA: dict[Platform, dict[str, str]] = {
    Platform.META: {"page_id": "4242", "ig_user_id": "17841400000000001"},
    Platform.LINKEDIN: {"organization_id": "2414183"},
    Platform.TWITTER: {"user_id": "783214"},
}


async def connect(system: System, tenant: Tenant, platform: Platform, index: int) -> dict[str, Any]:
    account_id = system.sim.dataset.account_ids(platform.value)[index]
    account = system.sim.dataset.account(platform.value, account_id)
    credentials = {"access_token": "sim-e2e", "refresh_token": "sim-refresh-e2e"}
    if platform is Platform.TWITTER:
        credentials["token_secret"] = "sim-token-secret"
    response = await tenant.client.post(
        f"/api/orgs/{tenant.org_id}/integrations",
        json={
            "platform": platform.value,
            "account_id": account_id,
            "account_name": f"{platform.value} {account_id}",
            "credentials": credentials,
            "currency": account.currency,
            "timezone": account.timezone,
            "account_extra": ACCOUNT_EXTRA.get(platform, {}),
        },
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def trigger(tenant: Tenant, integration_id: str, data_type: str = "all") -> str:
    response = await tenant.client.post(
        f"/api/orgs/{tenant.org_id}/sync/integrations/{integration_id}/trigger",
        json={"data_type": data_type},
    )
    assert response.status_code == 202, response.text
    runs = response.json()["runs"]
    return str(runs[0]["run_id"])


async def dashboard(tenant: Tenant) -> dict[str, Any]:
    response = await tenant.client.get(f"/api/orgs/{tenant.org_id}/dashboard")
    assert response.status_code == 200, response.text
    return dict(response.json())


async def integration_status(tenant: Tenant, integration_id: str) -> dict[str, Any]:
    response = await tenant.client.get(
        f"/api/orgs/{tenant.org_id}/sync/integrations/{integration_id}/status"
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


class LiveStream:
    """The org's Server-Sent Events, collected as (event, data) pairs."""

    def __init__(self, system: System, tenant: Tenant) -> None:
        self._url = f"{system.api_url}/api/orgs/{tenant.org_id}/events"
        self._headers = {"Authorization": f"Bearer {tenant.token}"}
        self.messages: list[tuple[str, dict[str, Any]]] = []
        self._task: asyncio.Task[None] | None = None

    async def _read(self) -> None:
        timeout = httpx.Timeout(10, read=None)
        async with (
            httpx.AsyncClient(timeout=timeout) as client,
            client.stream("GET", self._url, headers=self._headers) as response,
        ):
            event = "message"
            async for line in response.aiter_lines():
                if line.startswith("event:"):
                    event = line.removeprefix("event:").strip()
                elif line.startswith("data:"):
                    self.messages.append((event, json.loads(line.removeprefix("data:"))))

    @contextlib.asynccontextmanager
    async def open(self) -> AsyncIterator[LiveStream]:
        self._task = asyncio.create_task(self._read())
        try:
            yield self
        finally:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def _sync_statuses(self, run_id: str) -> list[dict[str, Any]]:
        return [
            data
            for event, data in self.messages
            if event == "sync_status" and data.get("run_id") == run_id
        ]

    def statuses(self, run_id: str) -> list[str]:
        """The run's statuses in the order the stream told them."""
        return [data["status"] for data in self._sync_statuses(run_id)]

    def told_at(self, run_id: str) -> dict[str, datetime]:
        """When each of the run's statuses happened (``occurred_at``), which orders them."""
        return {
            data["status"]: datetime.fromisoformat(data["occurred_at"])
            for data in self._sync_statuses(run_id)
        }


async def run_started_at(tenant: Tenant, integration_id: str, run_id: str) -> datetime:
    """When the run started: the worker's 30 days end on the account's day then, which is
    not the account's day now if its midnight passed meanwhile (UTC's, for a UTC account)."""
    started: list[datetime] = []

    async def has_started() -> bool:
        runs = (await integration_status(tenant, integration_id))["recent_runs"]
        started[:] = [
            datetime.fromisoformat(run["started_at"])
            for run in runs
            if run["run_id"] == run_id and run["started_at"] is not None
        ]
        return bool(started)

    await eventually(has_started, within=60)
    return started[0]


def expected_30_day_figures(
    system: System, platform: Platform, account_id: str, synced_at: datetime
) -> tuple[int, dict[str, Decimal]]:
    """Impressions over the account's 30 days up to its day at ``synced_at``, and spend per
    campaign, from the simulator's own generator."""
    dataset = system.sim.dataset
    account = dataset.account(platform.value, account_id)
    today = account_today(synced_at, account.timezone)
    rows = dataset.daily_metrics(platform.value, account_id, today - timedelta(days=29), today)
    spend: dict[str, Decimal] = {}
    for row in rows:
        spend[row.campaign_external_id] = spend.get(row.campaign_external_id, Decimal(0)) + (
            row.spend
        )
    return sum(row.impressions for row in rows), spend
