"""KPI targets: each tracks one dashboard figure; the dashboard shows target vs actual."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path
from starlette.responses import Response

from cmis_dashboard_api.api import examples
from cmis_dashboard_api.api.deps import OrgAccess, ServicesDep
from cmis_dashboard_api.api.docs import documented
from cmis_dashboard_api.api.errors import ApiError, not_found
from cmis_dashboard_api.api.responses import json_response
from cmis_dashboard_api.handlers import plans
from cmis_dashboard_api.ports import DuplicateNameError, Plans, UnitOfWork
from cmis_dashboard_api.schemas.plans import KpiIn, KpiList, KpiOut, KpiUpdate

router = APIRouter(tags=["kpis"])
KpiId = Annotated[UUID, Path(description="KPI id.")]
PATH = "/orgs/{org_id}/kpis/{kpi_id}"


def _duplicate() -> ApiError:
    return ApiError(409, "a KPI with this name already exists")


_CHANGED = "The dashboard's `kpis` section changes at once."


def _kpis(uow: UnitOfWork) -> Plans[KpiOut]:
    return uow.kpis


@router.get(
    "/orgs/{org_id}/kpis",
    response_model=KpiList,
    **documented(
        summary="KPI targets",
        description="The organization's KPI targets.",
        response_example={"kpis": [examples.KPI_OUT]},
    ),
)
async def list_kpis(org_id: OrgAccess, services: ServicesDep) -> Response:
    return json_response(KpiList(kpis=await plans.list_plans(services.uow(), _kpis, org_id)))


@router.post(
    "/orgs/{org_id}/kpis",
    response_model=KpiOut,
    **documented(
        summary="Add a KPI target",
        description="A target for one dashboard figure (`metric`). " + _CHANGED,
        status_code=201,
        request_example=examples.KPI_IN,
        response_example=examples.KPI_OUT,
        errors=(401, 404, 409, 422),
        response_description="Created.",
    ),
)
async def create_kpi(org_id: OrgAccess, body: KpiIn, services: ServicesDep) -> Response:
    changed = services.views.reload_plans
    try:
        row = await plans.add_plan(services.uow(), _kpis, changed, org_id, body.model_dump())
    except DuplicateNameError:
        raise _duplicate() from None
    return json_response(row, 201)


@router.patch(
    PATH,
    response_model=KpiOut,
    **documented(
        summary="Change a KPI target",
        description="Changes the given fields. " + _CHANGED,
        request_example={"target": 350},
        response_example=examples.KPI_OUT,
        errors=(401, 404, 409, 422),
    ),
)
async def update_kpi(
    org_id: OrgAccess, kpi_id: KpiId, body: KpiUpdate, services: ServicesDep
) -> Response:
    values = body.model_dump(exclude_none=True)
    changed = services.views.reload_plans
    try:
        row = await plans.change_plan(services.uow(), _kpis, changed, org_id, kpi_id, values)
    except DuplicateNameError:
        raise _duplicate() from None
    if row is None:
        raise not_found("KPI")
    return json_response(row)


@router.delete(
    PATH,
    response_class=Response,
    **documented(
        summary="Remove a KPI target",
        description="Deletes the target. " + _CHANGED,
        status_code=204,
        response_example=None,
        response_description="Deleted (no body).",
    ),
)
async def delete_kpi(org_id: OrgAccess, kpi_id: KpiId, services: ServicesDep) -> Response:
    if not await plans.remove_plan(
        services.uow(), _kpis, services.views.reload_plans, org_id, kpi_id
    ):
        raise not_found("KPI")
    return Response(status_code=204)
