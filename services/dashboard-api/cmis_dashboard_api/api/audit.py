"""Who changed what in the organization's settings and members, newest first (admins)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from starlette.responses import Response

from cmis_dashboard_api.api import examples
from cmis_dashboard_api.api.deps import CurrentUser, OrgAccess, ServicesDep
from cmis_dashboard_api.api.docs import documented
from cmis_dashboard_api.api.errors import forbidden, not_found
from cmis_dashboard_api.api.responses import json_response
from cmis_dashboard_api.handlers.audit import audit_page
from cmis_dashboard_api.ports import CursorNotFoundError
from cmis_dashboard_api.schemas.audit import AuditPage

router = APIRouter(tags=["settings"])


@router.get(
    "/orgs/{org_id}/audit",
    response_model=AuditPage,
    **documented(
        summary="Audit log",
        description=(
            "Every change of the organization's settings and members: who, when, what, with "
            "the values before and after. Newest first; pass `next_cursor` as `cursor` for "
            "the next page. Admins only."
        ),
        response_example=examples.AUDIT_PAGE,
        errors=(401, 403, 404, 422),
    ),
)
async def audit_log(
    org_id: OrgAccess,
    user: CurrentUser,
    services: ServicesDep,
    cursor: Annotated[UUID | None, Query(description="`next_cursor` of the previous page.")] = None,
    limit: Annotated[int, Query(ge=1, le=200, description="Entries per page.")] = 50,
) -> Response:
    if org_id not in user.admin_org_ids:
        raise forbidden("the audit log needs the organization's admin role")
    try:
        page = await audit_page(services.uow(), org_id, cursor, limit)
    except CursorNotFoundError:
        raise not_found("cursor") from None
    return json_response(page)
