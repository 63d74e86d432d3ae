"""KPI targets: each tracks one dashboard figure; the dashboard shows target vs actual."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path
from starlette.responses import Response

from cmis_dashboard_api.adapters import plans
from cmis_dashboard_api.api import examples
from cmis_dashboard_api.api.docs import documented
from cmis_dashboard_api.api.responses import json_response
from cmis_dashboard_api.deps import OrgAccess, ServicesDep, SessionDep
from cmis_dashboard_api.errors import ApiError, not_found
from cmis_dashboard_api.schemas.plans import KpiIn, KpiList, KpiOut, KpiUpdate
from cmis_shared.db.models import Kpi

router = APIRouter(tags=["kpis"])
KpiId = Annotated[UUID, Path(description="KPI id.")]
PATH = "/orgs/{org_id}/kpis/{kpi_id}"


def _duplicate() -> ApiError:
    return ApiError(409, "a KPI with this name already exists")


_CHANGED = "The dashboard's `kpis` section changes at once."


def _out(row: Kpi) -> KpiOut:
    return KpiOut.model_validate(row, from_attributes=True)


@router.get(
    "/orgs/{org_id}/kpis",
    response_model=KpiList,
    **documented(
        summary="KPI targets",
        description="The organization's KPI targets.",
        response_example={"kpis": [examples.KPI_OUT]},
    ),
)
async def list_kpis(org_id: OrgAccess, session: SessionDep) -> Response:
    return json_response(
        KpiList(kpis=[_out(row) for row in await plans.list_kpis(session, org_id)])
    )


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
async def create_kpi(
    org_id: OrgAccess, body: KpiIn, session: SessionDep, services: ServicesDep
) -> Response:
    try:
        row = await plans.add(session, Kpi(org_id=org_id, **body.model_dump()))
    except plans.DuplicateNameError:
        raise _duplicate() from None
    await session.commit()
    await services.views.reload_plans(org_id)
    return json_response(_out(row), 201)


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
    org_id: OrgAccess, kpi_id: KpiId, body: KpiUpdate, session: SessionDep, services: ServicesDep
) -> Response:
    row = await plans.find(session, Kpi, org_id, kpi_id)
    if row is None:
        raise not_found("KPI")
    try:
        row = await plans.change(session, row, body.model_dump(exclude_none=True))
    except plans.DuplicateNameError:
        raise _duplicate() from None
    await session.commit()
    await services.views.reload_plans(org_id)
    return json_response(_out(row))


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
async def delete_kpi(
    org_id: OrgAccess, kpi_id: KpiId, session: SessionDep, services: ServicesDep
) -> Response:
    if not await plans.remove(session, Kpi, org_id, kpi_id):
        raise not_found("KPI")
    await session.commit()
    await services.views.reload_plans(org_id)
    return Response(status_code=204)
