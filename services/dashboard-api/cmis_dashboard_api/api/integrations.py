"""Connecting, updating and disconnecting platform accounts (publishes ``integration.*``)."""

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
from cmis_dashboard_api.handlers import integrations
from cmis_dashboard_api.schemas.orgs import (
    ConnectIntegration,
    IntegrationList,
    IntegrationOut,
    UpdateIntegration,
)
from cmis_shared.clock import system_clock

router = APIRouter(tags=["integrations"])
IntegrationId = Annotated[UUID, Path(description="Integration id.")]
PATH = "/orgs/{org_id}/integrations/{integration_id}"
CLEARABLE = frozenset({"currency", "token_expires_at"})


@router.get(
    "/orgs/{org_id}/integrations",
    response_model=IntegrationList,
    **documented(
        summary="Connected integrations",
        description="The organization's connected (active or paused) platform accounts.",
        response_example={"integrations": [examples.INTEGRATION_OUT]},
    ),
)
async def list_integrations(org_id: OrgAccess, services: ServicesDep) -> Response:
    rows = await integrations.list_integrations(services.uow(), org_id)
    return json_response(IntegrationList(integrations=rows))


@router.post(
    "/orgs/{org_id}/integrations",
    response_model=IntegrationOut,
    **documented(
        summary="Connect a platform account",
        description=(
            "Stores the account and its credentials (encrypted; never returned) and "
            "publishes `integration.connected`, which schedules its syncs. Connecting an "
            "account that is already known reconnects it; a missing refresh token keeps "
            "the stored one."
        ),
        status_code=201,
        request_example=examples.CONNECT,
        response_example=examples.INTEGRATION_OUT,
        response_description="Connected.",
    ),
)
async def connect_integration(
    org_id: OrgAccess, body: ConnectIntegration, services: ServicesDep
) -> Response:
    values = body.model_dump(exclude={"credentials"})
    credentials = body.credentials.model_dump()
    row = await integrations.connect_integration(services.uow(), org_id, values, credentials)
    return json_response(row, 201)


@router.get(
    PATH,
    response_model=IntegrationOut,
    **documented(
        summary="One integration",
        description="The integration's account, status and token expiry (never its tokens).",
        response_example=examples.INTEGRATION_OUT,
    ),
)
async def get_integration(
    org_id: OrgAccess, integration_id: IntegrationId, services: ServicesDep
) -> Response:
    row = await integrations.get_integration(services.uow(), org_id, integration_id)
    if row is None:
        raise not_found("integration")
    return json_response(row)


@router.patch(
    PATH,
    response_model=IntegrationOut,
    **documented(
        summary="Update an integration",
        description=(
            "Changes the given fields and publishes `integration.updated`. `status` pauses "
            "or resumes syncing; credentials are merged with the stored ones."
        ),
        request_example=examples.UPDATE_INTEGRATION,
        response_example=examples.INTEGRATION_OUT,
    ),
)
async def update_integration(
    org_id: OrgAccess, integration_id: IntegrationId, body: UpdateIntegration, services: ServicesDep
) -> Response:
    given = body.model_dump(exclude_unset=True, exclude={"credentials"})
    # null leaves a field unchanged, but for the two a null can clear (the columns that
    # may hold one): the others cannot be emptied.
    changes = {k: v for k, v in given.items() if v is not None or k in CLEARABLE}
    credentials = body.credentials.model_dump() if body.credentials else None
    row = await integrations.update_integration(
        services.uow(), org_id, integration_id, changes, credentials
    )
    if row is None:
        raise not_found("integration")
    return json_response(row)


@router.delete(
    PATH,
    response_class=Response,
    **documented(
        summary="Disconnect an integration",
        description=(
            "Stops syncing the account and publishes `integration.disconnected`. Its "
            "data leaves the dashboard; connecting it again restores it."
        ),
        status_code=204,
        response_example=None,
        response_description="Disconnected (no body).",
    ),
)
async def disconnect_integration(
    org_id: OrgAccess, integration_id: IntegrationId, services: ServicesDep
) -> Response:
    found = await integrations.disconnect_integration(
        services.uow(), org_id, integration_id, system_clock()
    )
    if not found:
        raise not_found("integration")
    return Response(status_code=204)
