"""The unified dashboard: served as the stored bytes of the materialized view."""

from __future__ import annotations

import enum
from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import JSONResponse, Response

from cmis_dashboard_api.api import examples, limits
from cmis_dashboard_api.api.deps import OrgAccess, ServicesDep, members_may_write
from cmis_dashboard_api.api.docs import documented
from cmis_dashboard_api.api.errors import not_found
from cmis_dashboard_api.api.responses import JSON
from cmis_dashboard_api.schemas.dashboard import DashboardView

router = APIRouter(tags=["dashboard"])


class Period(enum.IntEnum):
    WEEK = 7
    MONTH = 30
    QUARTER = 90


@router.get(
    "/orgs/{org_id}/dashboard",
    response_model=DashboardView,
    # The route sends stored bytes itself; the class only puts the schema in the document.
    response_class=JSONResponse,
    **documented(
        summary="Unified dashboard",
        description=(
            "The organization's dashboard: advertising and content overview, KPIs against "
            "targets, top 5 active campaigns by spend, next 10 scheduled posts, last 10 "
            "posts, connected accounts, open alerts and sync status. Kept current by events "
            "(no fixed cache staleness); `period` 7 or 90 days is computed from the "
            "database and cached briefly. Ratios are `null` when their divisor is zero."
        ),
        response_example=examples.DASHBOARD,
    ),
)
async def get_dashboard(
    org_id: OrgAccess,
    services: ServicesDep,
    period: Annotated[Period, Query(description="Days covered by the figures.")] = Period.MONTH,
) -> Response:
    view = await services.views.get(org_id, int(period))
    if view is None:
        raise not_found("organization")
    return Response(view, media_type=JSON)


@router.post(
    "/orgs/{org_id}/dashboard/refresh",
    response_model=DashboardView,
    # The route sends stored bytes itself; the class only puts the schema in the document.
    response_class=JSONResponse,
    **documented(
        summary="Rebuild the dashboard now",
        description=(
            "Rebuilds the organization's dashboard from the database (the system of "
            "record), replaces the materialized view and returns it."
        ),
        response_example=examples.DASHBOARD,
        errors=(401, 404, 422, 429),
    ),
)
@members_may_write
async def refresh_dashboard(org_id: OrgAccess, services: ServicesDep) -> Response:
    await limits.enforce(services, services.refresh_limiter, "refresh", org_id)
    view = await services.views.refresh(org_id)
    if view is None:
        raise not_found("organization")
    return Response(view, media_type=JSON)
