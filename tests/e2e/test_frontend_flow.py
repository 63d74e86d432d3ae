"""As a frontend would: with an API token, read the dashboard, trigger a manual sync, follow it
live from syncing to success, read the new figures and check them against the platform."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from cmis_shared.events import Platform
from tests.e2e.conftest import System, Tenant
from tests.e2e.helpers import (
    LiveStream,
    connect,
    dashboard,
    expected_30_day_figures,
    integration_status,
    run_started_at,
    trigger,
)
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e


async def test_manual_sync_followed_live_fills_the_dashboard_with_the_platform_figures(
    system: System, tenant: Tenant
) -> None:
    integration = await connect(system, tenant, Platform.GOOGLE, index=0)
    empty = await dashboard(tenant)
    assert set(empty) >= {
        "org_id", "org_name", "overview", "kpis", "active_campaigns", "scheduled_content",
        "recent_posts", "connected_accounts", "alerts", "sync_status", "updated_at",
    }  # fmt: skip

    async def connected() -> bool:
        return (await dashboard(tenant))["connected_accounts"]["total"] == 1

    await eventually(connected, within=60)

    async with LiveStream(system, tenant).open() as live:
        await eventually(lambda: any(event == "ready" for event, _ in live.messages))
        run_id = await trigger(tenant, integration["id"])
        # The stream may tell them in either order (relay lanes and the consumer's prefetch
        # keep none; the client orders them by when they happened): wait for both.
        await eventually(lambda: {"syncing", "success"} <= set(live.statuses(run_id)), within=60)
        told = live.told_at(run_id)
        assert told["syncing"] < told["success"], told

    impressions, spend_by_campaign = expected_30_day_figures(
        system,
        Platform.GOOGLE,
        integration["account_id"],
        await run_started_at(tenant, integration["id"], run_id),
    )

    async def figures_arrived() -> bool:
        advertising = (await dashboard(tenant))["overview"]["advertising"]
        return bool(advertising["total_impressions"] == impressions)

    await eventually(figures_arrived, within=60)
    view = await dashboard(tenant)
    assert Decimal(str(view["overview"]["advertising"]["total_spend"])) == sum(
        spend_by_campaign.values()
    )
    assert view["active_campaigns"], "the simulator's active campaigns are missing"
    for campaign in view["active_campaigns"]:
        assert campaign["platform"] == "google"
    status = await integration_status(tenant, integration["id"])
    assert status["integration"]["status"] == "success"
    assert status["integration"]["last_synced_at"] is not None


async def test_after_a_first_sync_of_every_platform_no_campaign_shows_over_110_percent(
    system: System, tenant: Tenant
) -> None:
    """What the demo shows: each platform's account synced by the real pipeline, then every
    campaign's budget use as the API serves it (today's spend for a daily budget, everything
    synced for a lifetime one) is at most 110 %."""
    integrations = [await connect(system, tenant, platform, index=2) for platform in Platform]
    for integration in integrations:
        await trigger(tenant, integration["id"])
    expected_count = len(integrations) * system.sim.dataset.size.campaigns

    async def campaigns() -> list[dict[str, Any]]:
        response = await tenant.client.get(
            f"/api/orgs/{tenant.org_id}/campaigns",
            params={"sort": "budget_used_pct", "order": "desc", "limit": expected_count},
        )
        assert response.status_code == 200, response.text
        return list(response.json()["items"])

    async def all_synced() -> bool:
        statuses = [await integration_status(tenant, i["id"]) for i in integrations]
        synced = all(s["integration"]["status"] == "success" for s in statuses)
        return synced and len(await campaigns()) == expected_count

    await eventually(all_synced, within=90)
    budgeted = [c for c in await campaigns() if c["budget_used_pct"] is not None]
    assert len(budgeted) >= expected_count // 2
    assert max(Decimal(str(c["budget_used_pct"])) for c in budgeted) <= 110
