"""A multi-currency organization through the HTTP API: its totals, CPC, ROI and KPIs in its
own currency equal a hand computation (each metric day at that day's rate, weekends at
Friday's), campaign entries keep their native amounts and add converted ones, the rate days
are stated, and an admin's change of currency shows at once (through the settings event).
The chart routes (metrics over time, campaigns) report the same money the same way."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from cmis_dashboard_api import admin
from cmis_dashboard_api.adapters.view_queries import SqlViewSource
from cmis_dashboard_api.bootstrap import Services
from cmis_dashboard_api.domain.state import DEFAULT_PERIOD_DAYS
from cmis_dashboard_api.settings import DashboardSettings
from cmis_shared.db.models import Campaign, DailyMetric, ExchangeRate, Kpi
from cmis_shared.settings import CmisSettings
from cmis_shared.uow import UnitOfWork
from tests.integration.dashboard_api.chart_data import get
from tests.integration.dashboard_api.conftest import Tenant, dashboard_settings
from tests.integration.dashboard_api.test_dashboard_view import dashboard
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration
CENT = Decimal("0.01")


@pytest.fixture
def dash_settings(settings: CmisSettings) -> DashboardSettings:
    # Rates read on every render: the tests change them between renders.
    return dashboard_settings(settings, exchange_rate_cache_seconds=0)


def last_friday(today: date) -> date:
    return today - timedelta(days=(today.weekday() - 4) % 7 or 7)


async def seed(services: Services, tenant: Tenant) -> dict[str, Any]:
    """Rates, a EUR account connected first, a USD account second, their campaigns and days."""
    friday = last_friday(datetime.now(UTC).date())
    monday_before, saturday = friday - timedelta(days=4), friday + timedelta(days=1)
    usd = {friday: Decimal("1.0800"), monday_before: Decimal("1.1000")}
    async with services.runtime.sessions() as session, session.begin():
        for day, rate in usd.items():
            session.add(ExchangeRate(currency="USD", rate_date=day, rate=rate, source="test"))
    ids = {}
    for account, currency in (("eu", "EUR"), ("us", "USD")):
        async with UnitOfWork(services.runtime.sessions) as uow:
            row = await admin.connect_integration(
                uow, tenant.org_id, "google", account, f"Ads {currency}",
                {"access_token": "t"}, currency=currency, cipher=services.cipher,
            )  # fmt: skip
            await uow.commit()
        ids[currency] = row.id
    # (currency, day, spend, clicks, conversion value)
    days = [
        ("EUR", monday_before, "100.00", 50, "300.00"),
        ("USD", monday_before, "110.00", 40, "220.00"),  # at Monday's 1.10: 100 EUR, 200 EUR
        ("USD", saturday, "54.00", 10, "0"),  # Saturday at Friday's 1.08: 50 EUR
        ("USD", friday, "10.80", 5, "21.60"),  # Friday's 1.08: 10 EUR, 20 EUR
    ]
    async with services.runtime.sessions() as session, session.begin():
        for currency, integration_id in ids.items():
            session.add(
                Campaign(
                    org_id=tenant.org_id, integration_id=integration_id, platform="google",
                    external_id=f"c-{currency}", name=f"Campaign {currency}", status="active",
                    currency=currency, budget_amount=Decimal(1000), budget_period="lifetime",
                )
            )  # fmt: skip
        for currency, day, spend, clicks, value in days:
            session.add(
                DailyMetric(
                    integration_id=ids[currency], campaign_external_id=f"c-{currency}", day=day,
                    org_id=tenant.org_id, currency=currency, impressions=1000, clicks=clicks,
                    spend=Decimal(spend), conversions=Decimal(1), conversion_value=Decimal(value),
                )
            )  # fmt: skip
        session.add(Kpi(org_id=tenant.org_id, name="Spend", metric="total_spend", target=250))
    return {"friday": friday, "monday": monday_before, "usd": usd}


async def rebuilt(client: httpx.AsyncClient, tenant: Tenant) -> dict[str, Any]:
    response = await client.post(
        f"/api/orgs/{tenant.org_id}/dashboard/refresh", headers=tenant.headers
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_a_eur_and_usd_organizations_totals_equal_a_hand_computation(
    client: httpx.AsyncClient, services: Services, tenant: Tenant
) -> None:
    seeded = await seed(services, tenant)
    view = await rebuilt(client, tenant)

    # By hand, in EUR (the first connected account's currency):
    # spend 100 (EUR) + 100 + 50 + 10 (USD days) = 260; value 300 + 200 + 0 + 20 = 520.
    advertising = view["overview"]["advertising"]
    assert view["currency"] == "EUR"
    assert advertising["total_spend"] == 260
    assert advertising["total_clicks"] == 105
    assert advertising["avg_cpc"] == float((Decimal(260) / 105).quantize(CENT, ROUND_HALF_EVEN))
    assert advertising["roi"] == 100  # (520 - 260) / 260
    assert view["kpis"][0]["actual"] == 260
    assert view["exchange_rates"] == {
        "rates_as_of": seeded["friday"].isoformat(),
        "rate_dates": {
            "USD": {"first": seeded["monday"].isoformat(), "last": seeded["friday"].isoformat()}
        },
        "unconverted_currencies": [],
    }
    by_currency = {entry["currency"]: entry for entry in view["active_campaigns"]}
    assert by_currency["USD"]["spend"] == 174.8  # native
    assert by_currency["USD"]["converted"] == {
        "currency": "EUR",
        "spend": 160,
        "conversion_value": 220,
        "rates_as_of": seeded["friday"].isoformat(),
    }
    assert by_currency["USD"]["budget_used_pct"] == 17.48  # of its own 1000 USD
    assert by_currency["EUR"]["converted"]["spend"] == 100
    assert by_currency["EUR"]["converted"]["rates_as_of"] is None  # nothing to convert


async def test_an_admins_choice_of_currency_converts_the_view_at_once(
    client: httpx.AsyncClient, services: Services, tenant: Tenant
) -> None:
    seeded = await seed(services, tenant)
    await rebuilt(client, tenant)
    response = await client.patch(
        f"/api/orgs/{tenant.org_id}/settings", headers=tenant.headers, json={"currency": "USD"}
    )
    assert response.status_code == 200, response.text

    async def in_usd() -> bool:
        return (await dashboard(client, tenant))["currency"] == "USD"

    await eventually(in_usd)  # organization.settings_changed through the outbox
    view = await dashboard(client, tenant)
    # 100 EUR on Monday at 1.10 = 110 USD, plus the USD days' own 174.80.
    expected = Decimal("100") * seeded["usd"][seeded["monday"]] + Decimal("174.80")
    assert view["overview"]["advertising"]["total_spend"] == float(expected)
    assert view["exchange_rates"]["rate_dates"] == {
        "EUR": {"first": seeded["monday"].isoformat(), "last": seeded["monday"].isoformat()}
    }
    assert view == {**await rebuilt(client, tenant), "updated_at": view["updated_at"]}


async def test_a_currency_without_rates_is_left_out_and_named(
    client: httpx.AsyncClient, services: Services, tenant: Tenant
) -> None:
    seeded = await seed(services, tenant)
    async with services.runtime.sessions() as session, session.begin():
        await session.execute(ExchangeRate.__table__.delete())
    view = await rebuilt(client, tenant)
    assert view["exchange_rates"]["unconverted_currencies"] == ["USD"]
    assert view["overview"]["advertising"]["total_spend"] == 100  # the EUR campaign only
    usd = next(e for e in view["active_campaigns"] if e["currency"] == "USD")
    assert usd["converted"] is None

    # The chart routes leave the same money out and name it.
    span = {"from": seeded["monday"].isoformat()}
    series = await get(client, tenant, "/metrics/timeseries", granularity="week", **span)
    assert series["exchange_rates"]["unconverted_currencies"] == ["USD"]
    assert series["exchange_rates"]["rate_dates"] == {}
    assert [point["spend"] for point in series["total"]] == [100] + [0] * (len(series["total"]) - 1)
    page = await get(client, tenant, "/campaigns", **span)
    assert page["exchange_rates"]["unconverted_currencies"] == ["USD"]
    converted = {item["currency"]: item["converted"] for item in page["items"]}
    assert converted["USD"] is None
    assert converted["EUR"]["spend"] == 100


async def test_the_chart_routes_of_a_eur_and_usd_organization_equal_a_hand_computation(
    client: httpx.AsyncClient, services: Services, tenant: Tenant
) -> None:
    seeded = await seed(services, tenant)
    monday, friday = seeded["monday"], seeded["friday"]
    span = {"from": monday.isoformat(), "to": (friday + timedelta(days=1)).isoformat()}
    used = {
        "rates_as_of": friday.isoformat(),
        "rate_dates": {"USD": {"first": monday.isoformat(), "last": friday.isoformat()}},
        "unconverted_currencies": [],
    }

    # By hand, in EUR, each day at its own rate (Saturday at Friday's):
    # Monday 100 EUR + 110 USD / 1.10 = 200 EUR, value 300 + 220 / 1.10 = 500, 90 clicks;
    # Tuesday..Thursday nothing; Friday 10.80 / 1.08 = 10, value 21.60 / 1.08 = 20, 5 clicks;
    # Saturday 54 / 1.08 = 50, value 0, 10 clicks.
    daily = await get(client, tenant, "/metrics/timeseries", **span)
    assert daily["currency"] == "EUR"
    assert daily["currencies"] == ["EUR", "USD"]
    assert daily["exchange_rates"] == used
    hand = [(200, 500, 90), (0, 0, 0), (0, 0, 0), (0, 0, 0), (10, 20, 5), (50, 0, 10)]
    assert [(p["spend"], p["conversion_value"], p["clicks"]) for p in daily["total"]] == hand
    assert daily["total"][0]["cpc"] == float((Decimal(200) / 90).quantize(CENT, ROUND_HALF_EVEN))
    assert daily["by_platform"]["google"] == daily["total"]
    weekly = await get(client, tenant, "/metrics/timeseries", granularity="week", **span)
    assert [(p["spend"], p["conversion_value"]) for p in weekly["total"]] == [(260, 520)]

    # Campaign entries keep their own money and add it in EUR, as the dashboard's do.
    page = await get(client, tenant, "/campaigns", **span)
    assert page["currency"] == "EUR"
    assert page["exchange_rates"] == used
    by_currency = {item["currency"]: item for item in page["items"]}
    assert by_currency["USD"]["spend"] == 174.8
    assert by_currency["USD"]["converted"] == {
        "currency": "EUR",
        "spend": 160,
        "conversion_value": 220,
        "rates_as_of": friday.isoformat(),
    }
    assert by_currency["EUR"]["converted"] == {
        "currency": "EUR",
        "spend": 100,
        "conversion_value": 300,
        "rates_as_of": None,
    }
    view = await rebuilt(client, tenant)  # the same amounts as the dashboard's entries
    for entry in view["active_campaigns"]:
        assert entry["converted"] == by_currency[entry["currency"]]["converted"]

    detail = await get(client, tenant, f"/campaigns/{by_currency['USD']['id']}", **span)
    assert detail["campaign"]["converted"] == by_currency["USD"]["converted"]
    assert detail["exchange_rates"] == used
    assert [point["spend"] for point in detail["daily"]] == [110, 0, 0, 0, 10.8, 54]  # native


def test_the_helper_finds_the_last_friday_before_today() -> None:
    assert last_friday(date(2026, 11, 30)) == date(2026, 11, 27)
    assert last_friday(date(2026, 11, 27)) == date(2026, 11, 20)


async def test_campaigns_sorted_by_spend_rank_by_their_spend_in_the_organizations_currency(
    client: httpx.AsyncClient, services: Services, tenant: Tenant
) -> None:
    """105 USD is more than 100 EUR in digits but less in money (95.45 EUR at 1.10): the
    spend sort ranks by the converted amount, across pages too."""
    seeded = await seed(services, tenant)
    monday = seeded["monday"]
    async with services.runtime.sessions() as session, session.begin():
        usd = await session.scalar(
            Campaign.__table__.select()
            .with_only_columns(Campaign.integration_id)
            .where(Campaign.currency == "USD")
        )
        session.add(
            Campaign(
                org_id=tenant.org_id, integration_id=usd, platform="google",
                external_id="c-usd-small", name="Small USD", status="active",
                currency="USD", budget_amount=Decimal(1000), budget_period="lifetime",
            )
        )  # fmt: skip
        session.add(
            DailyMetric(
                integration_id=usd, campaign_external_id="c-usd-small", day=monday,
                org_id=tenant.org_id, currency="USD", impressions=1000, clicks=1,
                spend=Decimal("105.00"), conversions=Decimal(0), conversion_value=Decimal(0),
            )
        )  # fmt: skip
    span = {"from": monday.isoformat()}

    page = await get(client, tenant, "/campaigns", **span)
    assert [item["name"] for item in page["items"]] == [
        "Campaign USD",  # 160 EUR
        "Campaign EUR",  # 100 EUR
        "Small USD",  # 95.45 EUR
    ]
    ascending = await get(client, tenant, "/campaigns", order="asc", **span)
    assert [item["name"] for item in ascending["items"]] == [
        "Small USD",
        "Campaign EUR",
        "Campaign USD",
    ]
    names, cursor = [], None
    while True:
        paged = await get(
            client,
            tenant,
            "/campaigns",
            limit="1",
            **span,
            **({"cursor": cursor} if cursor else {}),
        )
        names += [item["name"] for item in paged["items"]]
        cursor = paged.get("next_cursor")
        if not cursor:
            break
    assert names == ["Campaign USD", "Campaign EUR", "Small USD"]


async def test_a_rebuild_during_a_currency_change_waits_for_it_and_shows_the_new_currency(
    services: Services, tenant: Tenant
) -> None:
    """A rebuild stamps its snapshot with a time taken before it reads. If it read the old
    currency while a change was committing, the change's event (older than that stamp) was
    dropped and the view kept the old currency. The read waits for the change instead."""
    source = SqlViewSource(services.runtime.sessions)
    async with services.runtime.sessions() as writer, writer.begin():
        await writer.execute(
            text("SELECT 1 FROM organizations WHERE id = :org FOR UPDATE"), {"org": tenant.org_id}
        )  # as change_settings locks it, before its event is made
        stamp = datetime.now(UTC)
        reading = asyncio.create_task(source.state(tenant.org_id, stamp, DEFAULT_PERIOD_DAYS))
        await asyncio.sleep(0.5)
        assert not reading.done()  # waits for the change to commit
        await writer.execute(
            text("UPDATE organizations SET currency = 'GBP' WHERE id = :org"),
            {"org": tenant.org_id},
        )
    state = await asyncio.wait_for(reading, 60)
    assert state is not None and state.currency == "GBP"
