"""The simulator's anomaly admin API over HTTP: a spec is checked, listed, served by the
platform endpoints at once (the answer cache is dropped) and removed again."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from cmis_shared.events import Platform
from cmis_sync_worker.connectors.registry import build_connectors
from tests.support.platform_sim import END_DATE, PlatformSim

from .conftest import CREDENTIALS, case_for

pytestmark = pytest.mark.integration


async def test_an_anomaly_is_served_at_once_and_removed_again(
    platform_sim: PlatformSim, http: httpx.AsyncClient
) -> None:
    case = case_for(Platform.META, platform_sim.dataset)
    connector = build_connectors(http, platform_sim.endpoints)[Platform.META]
    day = END_DATE - timedelta(days=1)

    async def spend_of(campaign: str) -> dict[str, object]:
        rows = await connector.fetch_daily_metrics(case.account, CREDENTIALS, day, day)
        return {r.campaign_external_id: r.spend for r in rows}[campaign]  # type: ignore[return-value]

    campaign = platform_sim.dataset.campaigns("meta", case.account.account_id)[0].external_id
    normal = await spend_of(campaign)  # cached by the simulator from here on
    anomaly_id = platform_sim.add_anomaly(
        kind="stop", platform="meta", account=case.account.account_id, campaign=campaign,
        day=day.isoformat(),
    )  # fmt: skip
    admin = f"{platform_sim.base_url}/_admin/anomalies"
    listed = (await http.get(admin)).json()["anomalies"]
    assert [(a["id"], a["kind"], a["day"]) for a in listed] == [(anomaly_id, "stop", str(day))]
    assert await spend_of(campaign) == 0
    (await http.delete(f"{admin}/{anomaly_id}")).raise_for_status()
    assert await spend_of(campaign) == normal


def test_a_bad_spec_is_refused_with_its_reason(platform_sim: PlatformSim) -> None:
    response = httpx.post(
        f"{platform_sim.base_url}/_admin/anomalies", json={"kind": "spike", "platform": "meta"}
    )
    assert response.status_code == 400
    assert "missing anomaly fields" in response.json()["error"]
