"""The documents match the JSON: a real dashboard (campaigns, both kinds of alerts, posts,
accounts, scheduled content) validates against the OpenAPI schema with no key the schema
does not list; integrations show what reconciles a figure with the platform's screen;
scheduled content takes Meta's channels ``facebook`` and ``instagram``."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jsonschema
import pytest
from fastapi import FastAPI

from cmis_dashboard_api import admin
from cmis_dashboard_api.bootstrap import Services
from cmis_shared.uow import UnitOfWork
from tests.integration.dashboard_api.chart_data import connect, get, seed_alert, seed_campaign
from tests.integration.dashboard_api.conftest import Tenant

pytestmark = [
    pytest.mark.integration,
    # A response model filled without validation (model_copy with plain dicts) only warns.
    pytest.mark.filterwarnings("error:Pydantic serializer warnings:UserWarning"),
]


def closed(schema: Any) -> Any:
    """The schema with ``additionalProperties: false`` wherever it lists properties and says
    nothing else about extra keys: any key the document omits fails validation."""
    if isinstance(schema, dict):
        result = {key: closed(value) for key, value in schema.items()}
        if "properties" in schema and "additionalProperties" not in schema:
            result["additionalProperties"] = False
        return result
    if isinstance(schema, list):
        return [closed(item) for item in schema]
    return schema


def response_schema(app: FastAPI, path: str, method: str = "get", status: str = "200") -> Any:
    document = copy.deepcopy(app.openapi())
    content = document["paths"][path][method]["responses"][status]["content"]
    return {
        **closed(content["application/json"]["schema"]),
        "components": closed(document["components"]),
    }


async def test_a_real_dashboard_has_only_documented_keys(
    app: FastAPI, client: httpx.AsyncClient, services: Services, tenant: Tenant
) -> None:
    google = await connect(services, tenant, "google", "contract")
    await seed_campaign(
        services, tenant, google, "Daily", {0: ("40", 100, 1)}, budget=("100", "daily")
    )
    await seed_campaign(
        services, tenant, google, "Life", {3: ("60", 100, 1)}, budget=("600", "lifetime")
    )
    await seed_alert(services, tenant)  # about an integration
    await seed_alert(services, tenant, subject_type="campaign")
    soon = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    created = await client.post(
        f"/api/orgs/{tenant.org_id}/scheduled-content",
        headers=tenant.headers,
        json={"content": "Sale", "platforms": ["facebook"], "scheduled_for": soon},
    )
    assert created.status_code == 201, created.text
    view = (
        await client.post(f"/api/orgs/{tenant.org_id}/dashboard/refresh", headers=tenant.headers)
    ).json()

    assert {alert["subject_type"] for alert in view["alerts"]} == {"integration", "campaign"}
    jsonschema.validate(view, response_schema(app, "/api/orgs/{org_id}/dashboard"))
    for entry in view["active_campaigns"]:
        assert entry["budget_used_pct"] == entry["spend_against_budget"] * 100 / entry["budget"]
    assert {c["name"]: c["budget_used_pct"] for c in view["active_campaigns"]} == {
        "Daily": 40, "Life": 10,
    }  # fmt: skip


async def test_chart_routes_answer_only_documented_keys(
    app: FastAPI, client: httpx.AsyncClient, services: Services, tenant: Tenant
) -> None:
    google = await connect(services, tenant, "google", "charts")
    await seed_campaign(services, tenant, google, "C", {0: ("1", 10, 1)}, budget=("5", "daily"))
    alert_id = await seed_alert(services, tenant, subject_type="campaign")
    [campaign] = (await get(client, tenant, "/campaigns"))["items"]
    for path, url in (
        ("/campaigns", "/campaigns"),
        ("/campaigns/{campaign_id}", f"/campaigns/{campaign['id']}"),
        ("/metrics/timeseries", "/metrics/timeseries"),
        ("/posts", "/posts"),
        ("/alerts", "/alerts"),
        ("/alerts/{alert_id}", f"/alerts/{alert_id}"),
        ("/alerts/{alert_id}/history", f"/alerts/{alert_id}/history"),
        ("/integrations", "/integrations"),
    ):
        body = await get(client, tenant, url)
        jsonschema.validate(body, response_schema(app, "/api/orgs/{org_id}" + path))


async def test_integrations_show_time_zone_currency_and_attribution(
    client: httpx.AsyncClient, services: Services, tenant: Tenant
) -> None:
    await connect(services, tenant, "meta", "attribution")
    [integration] = (await get(client, tenant, "/integrations"))["integrations"]
    assert (integration["timezone"], integration["currency"]) == ("UTC", "USD")
    assert integration["attribution"]["window_days"] == 28


async def test_facebook_and_instagram_map_to_the_meta_connection(
    client: httpx.AsyncClient, services: Services, tenant: Tenant
) -> None:
    async with UnitOfWork(services.runtime.sessions) as uow:
        meta = await admin.connect_integration(
            uow, tenant.org_id, "meta", "act_1", "Meta", {"access_token": "secret"},
            account_extra={"page_id": "page-7", "ig_user_id": "ig-9"}, cipher=services.cipher,
        )  # fmt: skip
        await uow.commit()
    soon = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    created = await client.post(
        f"/api/orgs/{tenant.org_id}/scheduled-content",
        headers=tenant.headers,
        json={
            "content": "Hi",
            "platforms": ["facebook", "instagram", "tiktok"],
            "scheduled_for": soon,
        },
    )
    assert created.status_code == 201, created.text
    assert created.json()["targets"] == [
        {"platform": "facebook", "integration_id": str(meta.id), "account_id": "page-7"},
        {"platform": "instagram", "integration_id": str(meta.id), "account_id": "ig-9"},
        {"platform": "tiktok", "integration_id": None, "account_id": None},
    ]
