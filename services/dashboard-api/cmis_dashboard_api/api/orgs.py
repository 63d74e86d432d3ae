"""The caller's organizations."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from cmis_dashboard_api.adapters.org_queries import user_organizations
from cmis_dashboard_api.api import examples
from cmis_dashboard_api.api.deps import CurrentUser, OrgAccess, SessionDep
from cmis_dashboard_api.api.docs import documented
from cmis_dashboard_api.api.errors import not_found
from cmis_dashboard_api.api.responses import json_response
from cmis_dashboard_api.schemas.orgs import OrganizationList, OrganizationOut

router = APIRouter(tags=["organizations"])


@router.get(
    "/orgs",
    response_model=OrganizationList,
    **documented(
        summary="My organizations",
        description="The organizations the caller belongs to, with the caller's role.",
        response_example=examples.ORGS,
        errors=(401,),
    ),
)
async def list_organizations(user: CurrentUser, session: SessionDep) -> Response:
    orgs = await user_organizations(session, user.user_id)
    return json_response(OrganizationList(organizations=orgs))


@router.get(
    "/orgs/{org_id}",
    response_model=OrganizationOut,
    **documented(
        summary="One organization",
        description="Name, time zone and the caller's role in the organization.",
        response_example=examples.ORGS["organizations"][0],
    ),
)
async def get_organization(org_id: OrgAccess, user: CurrentUser, session: SessionDep) -> Response:
    for org in await user_organizations(session, user.user_id):
        if org.id == org_id:
            return json_response(org)
    raise not_found("organization")
