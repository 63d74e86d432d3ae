"""As a frontend would: with an API token, read the dashboard, trigger a manual sync, follow it
live from syncing to success, read the new figures and check them against the platform."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cmis_shared.events import Platform
from tests.e2e.conftest import System, Tenant
from tests.e2e.helpers import (
    LiveStream,
    connect,
    dashboard,
    expected_30_day_figures,
    integration_status,
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

    await eventually(connected, within=20)

    async with LiveStream(system, tenant).open() as live:
        await eventually(lambda: any(event == "ready" for event, _ in live.messages))
        run_id = await trigger(tenant, integration["id"])
        await eventually(lambda: "success" in live.statuses(run_id), within=60)
        statuses = live.statuses(run_id)
        assert statuses.index("syncing") < statuses.index("success"), statuses

    impressions, spend_by_campaign = expected_30_day_figures(
        system, Platform.GOOGLE, integration["account_id"]
    )

    async def figures_arrived() -> bool:
        advertising = (await dashboard(tenant))["overview"]["advertising"]
        return bool(advertising["total_impressions"] == impressions)

    await eventually(figures_arrived, within=20)
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
