"""Scheduled content: posts planned for the organization's platforms."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path
from starlette.responses import Response

from cmis_dashboard_api.api import examples
from cmis_dashboard_api.api.deps import OrgAccess, ServicesDep
from cmis_dashboard_api.api.docs import documented
from cmis_dashboard_api.api.errors import not_found
from cmis_dashboard_api.api.responses import json_response
from cmis_dashboard_api.bootstrap import Services
from cmis_dashboard_api.domain.publishing import publishing_targets
from cmis_dashboard_api.handlers import integrations, plans
from cmis_dashboard_api.ports import Plans, UnitOfWork
from cmis_dashboard_api.schemas.plans import (
    ContentIn,
    ContentList,
    ContentOut,
    ContentTarget,
    ContentUpdate,
)

router = APIRouter(tags=["scheduled content"])
ContentId = Annotated[UUID, Path(description="Scheduled content id.")]
PATH = "/orgs/{org_id}/scheduled-content/{content_id}"
_CHANGED = "The dashboard's `scheduled_content` section (next 10) changes at once."


def _content(uow: UnitOfWork) -> Plans[ContentOut]:
    return uow.content


async def _with_targets(
    services: Services, org_id: UUID, rows: list[ContentOut]
) -> list[ContentOut]:
    connected = await integrations.list_integrations(services.uow(), org_id)
    # model_copy does not validate: the targets become models here, or serializing warns.
    return [
        row.model_copy(
            update={
                "targets": [
                    ContentTarget.model_validate(target)
                    for target in publishing_targets(row.platforms, connected)
                ]
            }
        )
        for row in rows
    ]


@router.get(
    "/orgs/{org_id}/scheduled-content",
    response_model=ContentList,
    **documented(
        summary="Scheduled content",
        description="The organization's planned posts, earliest first (at most 200).",
        response_example={"items": [examples.CONTENT_OUT]},
    ),
)
async def list_content(org_id: OrgAccess, services: ServicesDep) -> Response:
    rows = await plans.list_plans(services.uow(), _content, org_id)
    return json_response(ContentList(items=await _with_targets(services, org_id, rows)))


@router.post(
    "/orgs/{org_id}/scheduled-content",
    response_model=ContentOut,
    **documented(
        summary="Schedule content",
        description=(
            "Plans a post on one or more platforms: `google`, `meta`, `tiktok`, `linkedin`, "
            "`twitter`, and Meta's channels `facebook` (the Meta connection's page) and "
            "`instagram` (its Instagram account); `targets` shows the account each maps to. "
            + _CHANGED
        ),
        status_code=201,
        request_example=examples.CONTENT_IN,
        response_example=examples.CONTENT_OUT,
        response_description="Created.",
    ),
)
async def create_content(org_id: OrgAccess, body: ContentIn, services: ServicesDep) -> Response:
    changed = services.views.reload_plans
    row = await plans.add_plan(services.uow(), _content, changed, org_id, body.model_dump())
    [shown] = await _with_targets(services, org_id, [row])
    return json_response(shown, 201)


@router.patch(
    PATH,
    response_model=ContentOut,
    **documented(
        summary="Change scheduled content",
        description="Changes the given fields. " + _CHANGED,
        request_example={"scheduled_for": "2024-01-17T10:00:00Z"},
        response_example=examples.CONTENT_OUT,
    ),
)
async def update_content(
    org_id: OrgAccess,
    content_id: ContentId,
    body: ContentUpdate,
    services: ServicesDep,
) -> Response:
    values = body.model_dump(exclude_none=True)
    changed = services.views.reload_plans
    row = await plans.change_plan(services.uow(), _content, changed, org_id, content_id, values)
    if row is None:
        raise not_found("scheduled content")
    [shown] = await _with_targets(services, org_id, [row])
    return json_response(shown)


@router.delete(
    PATH,
    response_class=Response,
    **documented(
        summary="Remove scheduled content",
        description="Deletes the planned post. " + _CHANGED,
        status_code=204,
        response_example=None,
        response_description="Deleted (no body).",
    ),
)
async def delete_content(
    org_id: OrgAccess, content_id: ContentId, services: ServicesDep
) -> Response:
    if not await plans.remove_plan(
        services.uow(), _content, services.views.reload_plans, org_id, content_id
    ):
        raise not_found("scheduled content")
    return Response(status_code=204)
