"""The whole pipeline in two currencies: the scheduler's rates job reads the simulator's euro
reference rates, two accounts in their own currencies sync, an admin chooses EUR, and the
dashboard's total spend equals the simulator's figures converted by hand, each account day at
the rate published on or before it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import pytest

from cmis_platform_sim.fx import FxFeed, is_target_day
from cmis_shared.events import Platform
from cmis_sync_worker.domain.window import account_today
from tests.e2e.conftest import System, Tenant
from tests.e2e.helpers import connect, dashboard, run_started_at, trigger
from tests.support.platform_sim import SEED
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e
ACCOUNTS = ((Platform.GOOGLE, 0), (Platform.META, 0))


def euros(
    system: System, feed: FxFeed, platform: Platform, account_id: str, synced_at: datetime
) -> Decimal:
    """The account's 30 days of spend up to its day at ``synced_at``, in EUR, by hand."""
    account = system.sim.dataset.account(platform.value, account_id)
    today = account_today(synced_at, account.timezone)
    rows = system.sim.dataset.daily_metrics(
        platform.value, account_id, today - timedelta(days=29), today
    )
    total = Decimal(0)
    for row in rows:
        if account.currency == "EUR":
            total += row.spend
            continue
        published: date = row.day
        while not is_target_day(published):
            published -= timedelta(days=1)
        total += row.spend / feed.rates(published)[account.currency]
    return total


async def test_two_currencies_add_up_in_the_organizations_own(
    system: System, tenant: Tenant
) -> None:
    integrations = [await connect(system, tenant, p, index) for p, index in ACCOUNTS]
    response = await tenant.client.patch(
        f"/api/orgs/{tenant.org_id}/settings", json={"currency": "EUR"}
    )
    assert response.status_code == 200, response.text
    runs = [await trigger(tenant, integration["id"]) for integration in integrations]
    feed = FxFeed(SEED, datetime.now(UTC).date())
    expected = Decimal(0)
    for (platform, _), integration, run_id in zip(ACCOUNTS, integrations, runs, strict=True):
        synced_at = await run_started_at(tenant, integration["id"], run_id)
        expected += euros(system, feed, platform, integration["account_id"], synced_at)
    expected = expected.quantize(Decimal("0.01"), ROUND_HALF_EVEN)

    last: dict[str, Any] = {}

    async def converted() -> bool:
        view = await dashboard(tenant)  # kept current by the syncs' events
        last.update(view)
        return bool(
            view["exchange_rates"]["rates_as_of"] is not None
            and Decimal(str(view["overview"]["advertising"]["total_spend"])) == expected
        )

    try:
        await eventually(converted, within=120)
    except AssertionError:
        shown = {k: last.get(k) for k in ("currency", "exchange_rates", "sync_status")}
        spend = last.get("overview", {}).get("advertising", {}).get("total_spend")
        raise AssertionError(f"expected {expected} EUR, last view {spend}: {shown}") from None
    view = await dashboard(tenant)
    rebuilt = await tenant.client.post(f"/api/orgs/{tenant.org_id}/dashboard/refresh")
    assert rebuilt.json()["overview"] == view["overview"]
    assert view["currency"] == "EUR"
    assert view["exchange_rates"]["unconverted_currencies"] == []
