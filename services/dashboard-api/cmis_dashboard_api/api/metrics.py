"""The organization's advertising figures over time, by day or ISO week, in total and per
platform: the data behind the dashboard's charts."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from starlette.responses import Response

from cmis_dashboard_api.adapters import chart_queries
from cmis_dashboard_api.api import examples
from cmis_dashboard_api.api.deps import OrgAccess, ServicesDep, SessionDep
from cmis_dashboard_api.api.docs import documented
from cmis_dashboard_api.api.paging import From, PlatformFilter, To, date_range
from cmis_dashboard_api.api.responses import JSON
from cmis_dashboard_api.domain.freshness import combined, freshness, local_today
from cmis_dashboard_api.domain.render import exchange_rates_used
from cmis_dashboard_api.domain.reporting import convert_days
from cmis_dashboard_api.domain.series import series_by_platform
from cmis_dashboard_api.schemas.data import Timeseries
from cmis_dashboard_api.schemas.jsonbytes import dumps
from cmis_shared.clock import system_clock

router = APIRouter(tags=["metrics"])


@router.get(
    "/orgs/{org_id}/metrics/timeseries",
    response_model=Timeseries,
    **documented(
        summary="Metrics over time",
        description=(
            "Spend, impressions, clicks, conversions, CTR and CPC of the connected accounts "
            "per day or per ISO week (`period_start` is the Monday), every period present "
            "(zeros included), in total and per platform. Days are the accounts' own. Money "
            "is in the organization's `currency`, as on the dashboard: each account day at "
            "that day's euro reference rate, rounded half-even once per figure; a currency "
            "without a rate for a day is left out and named in `exchange_rates`. "
            "`freshness` is the oldest sync among the accounts and says whether the last day "
            "may still change."
        ),
        response_example=examples.TIMESERIES,
        sample_query="granularity=week&from=2024-01-01&to=2024-03-31",
    ),
)
async def timeseries(
    org_id: OrgAccess,
    session: SessionDep,
    services: ServicesDep,
    granularity: Annotated[Literal["day", "week"], Query(description="Bucket size.")] = "day",
    platform: PlatformFilter = None,
    first: From = None,
    last: To = None,
) -> Response:
    now = system_clock()
    first, last = date_range(first, last, now.date())
    rows, synced = await chart_queries.daily_metrics(session, org_id, first, last, platform)
    currency = await chart_queries.reporting_currency(session, org_id)
    money = convert_days(rows, currency, await services.rates.book())
    total, platforms = series_by_platform(money.rows, first, last, granularity)
    fresh_by_platform: dict[str, list[object]] = {}
    parts = []
    for account in synced:
        part = freshness(
            account["platform"],
            account["timezone"],
            account["last_synced_at"],
            min(last, local_today(now, account["timezone"])),
            now,
        )
        parts.append(part)
        fresh_by_platform.setdefault(account["platform"], []).append(part)
    body = {
        "granularity": granularity,
        "from": first,
        "to": last,
        "currency": currency,
        "exchange_rates": exchange_rates_used(money),
        "currencies": sorted({row["currency"] for row in rows}),
        "total": total.rendered(currency),
        "by_platform": {
            name: series.rendered(currency) for name, series in sorted(platforms.items())
        },
        "freshness": combined(parts, last).as_dict(),
        "freshness_by_platform": {
            name: combined(found, last).as_dict()  # type: ignore[arg-type]
            for name, found in sorted(fresh_by_platform.items())
        },
    }
    return Response(dumps(body), media_type=JSON)
