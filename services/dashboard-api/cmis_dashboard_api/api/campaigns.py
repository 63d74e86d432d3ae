"""Campaigns for tables and charts: the organization's campaigns with their figures over a
period (filtered, sorted, paged), and one campaign with its daily series."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from cmis_dashboard_api.adapters import chart_queries
from cmis_dashboard_api.adapters.chart_queries import CAMPAIGN_SORTS, CampaignQuery
from cmis_dashboard_api.api import examples
from cmis_dashboard_api.api.deps import OrgAccess, ServicesDep, SessionDep
from cmis_dashboard_api.api.docs import documented
from cmis_dashboard_api.api.errors import not_found
from cmis_dashboard_api.api.paging import (
    CursorParam,
    From,
    Limit,
    PlatformFilter,
    To,
    after,
    date_range,
)
from cmis_dashboard_api.api.responses import JSON
from cmis_dashboard_api.domain.charts import campaign_entries, cut_page
from cmis_dashboard_api.domain.series import Series
from cmis_dashboard_api.schemas.data import CampaignDetail, CampaignPage, page
from cmis_dashboard_api.schemas.jsonbytes import dumps
from cmis_shared.clock import system_clock

router = APIRouter(tags=["campaigns"])
CampaignId = Annotated[UUID, Path(description="Campaign id.")]
CampaignSort = Literal["spend", "ctr", "budget_used_pct", "name"]
CampaignStatus = Literal["active", "paused", "removed", "archived", "unknown"]
_FIGURES = (
    "Figures cover `from`..`to` (account-local days; default the last 30). `budget_used_pct` "
    "= `spend_against_budget / budget x 100`: today's spend for a daily budget, lifetime "
    "spend otherwise. `freshness` tells when the account last synced and whether the last "
    "day may still change (today, or inside the platform's attribution window)."
)


@router.get(
    "/orgs/{org_id}/campaigns",
    response_model=CampaignPage,
    **documented(
        summary="List campaigns for organization",
        description=(
            "The organization's campaigns (of connected accounts), filtered by platform, "
            "status and a name search, sorted by spend (in the organization's currency, each "
            "day at its own rate, so accounts in different currencies rank fairly), CTR, "
            "budget use or name, paged with `cursor`. " + _FIGURES
        ),
        response_example=examples.CAMPAIGN_PAGE,
        sample_query="platform=google&status=active&sort=spend&limit=20",
    ),
)
async def list_campaigns(
    org_id: OrgAccess,
    session: SessionDep,
    services: ServicesDep,
    platform: PlatformFilter = None,
    status: Annotated[CampaignStatus | None, Query(description="Only this status.")] = None,
    search: Annotated[
        str | None,
        Query(min_length=1, max_length=200, pattern=r"^[^\x00]*$", description="In the name."),
    ] = None,
    sort: Annotated[CampaignSort, Query(description="Sort key.")] = "spend",
    order: Annotated[Literal["asc", "desc"], Query(description="Sort direction.")] = "desc",
    first: From = None,
    last: To = None,
    limit: Limit = 50,
    cursor: CursorParam = None,
) -> Response:
    now = system_clock()
    first, last = date_range(first, last, now.date())
    currency = await chart_queries.reporting_currency(session, org_id)
    query = CampaignQuery(
        org_id=org_id,
        first=first,
        last=last,
        now=now,
        sort=sort,
        descending=order == "desc",
        platform=platform,
        status=status,
        search=search,
        after=after(cursor, f"{sort}:{order}", CAMPAIGN_SORTS[sort][1]),
        limit=limit + 1,
        reporting_currency=currency,
    )
    rows, next_cursor = cut_page(
        await chart_queries.campaigns(session, query),
        limit,
        f"{sort}:{order}",
        lambda row: str(row["sort_text"]),
    )
    foreign = [
        (row["integration_id"], row["external_id"])
        for row in rows
        if currency is not None and row["currency"] != currency
    ]
    daily = await chart_queries.campaign_money(session, foreign, first, last)
    items, rates_used = campaign_entries(
        rows, daily, currency, await services.rates.book(), first, last, now
    )
    return Response(dumps(page(items, next_cursor) | rates_used), media_type=JSON)


@router.get(
    "/orgs/{org_id}/campaigns/{campaign_id}",
    response_model=CampaignDetail,
    **documented(
        summary="One campaign with its daily series",
        description="The campaign's figures and one point per day of the range. " + _FIGURES,
        response_example=examples.CAMPAIGN_DETAIL,
        sample_query="from=2024-01-01&to=2024-01-31",
    ),
)
async def get_campaign(
    org_id: OrgAccess,
    campaign_id: CampaignId,
    session: SessionDep,
    services: ServicesDep,
    first: From = None,
    last: To = None,
) -> Response:
    now = system_clock()
    first, last = date_range(first, last, now.date())
    query = CampaignQuery(org_id=org_id, first=first, last=last, now=now, campaign_id=campaign_id)
    rows = await chart_queries.campaigns(session, query)
    if not rows:
        raise not_found("campaign")
    row = rows[0]
    days = await chart_queries.campaign_days(
        session, row["integration_id"], row["external_id"], first, last
    )
    series = Series("day", first, last)
    for day in days:
        series.add(day["day"], day)
    [entry], rates_used = campaign_entries(
        rows,
        {(row["integration_id"], row["external_id"]): days},
        await chart_queries.reporting_currency(session, org_id),
        await services.rates.book(),
        first,
        last,
        now,
    )
    body = {"campaign": entry, "daily": series.rendered(), **rates_used}
    return Response(dumps(body), media_type=JSON)
