"""Sync status, history, manual triggers and statistics."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Path, Query
from starlette.responses import Response

from cmis_dashboard_api.adapters.sync_queries import org_sync_status, recent_runs, sync_statistics
from cmis_dashboard_api.api import examples, limits
from cmis_dashboard_api.api.deps import (
    CurrentUser,
    OrgAccess,
    ServicesDep,
    SessionDep,
    members_may_write,
)
from cmis_dashboard_api.api.docs import documented
from cmis_dashboard_api.api.errors import not_found
from cmis_dashboard_api.api.responses import json_response
from cmis_dashboard_api.api.settings import default_trigger_limit
from cmis_dashboard_api.bootstrap import Services
from cmis_dashboard_api.handlers.settings import manual_trigger_limit
from cmis_dashboard_api.handlers.trigger import IntegrationNotFoundError, TriggerSync, trigger_sync
from cmis_dashboard_api.schemas.sync import (
    IntegrationSyncDetail,
    OrgSyncStatus,
    SyncStatistics,
    TriggerRequest,
    TriggerResponse,
)
from cmis_shared.clock import system_clock

router = APIRouter(tags=["sync"])
IntegrationId = Annotated[UUID, Path(description="Integration id.")]

_TRIGGER_TEXT = (
    " Answers 202 with the run ids. A sync of the same integration and data type that is "
    "already queued or running is returned (`created: false`), not queued again; a queued "
    "scheduled one becomes manual. Manual requests overtake scheduled ones. Rate limited "
    "per organization (429 + Retry-After)."
)


@router.get(
    "/orgs/{org_id}/sync/status",
    response_model=OrgSyncStatus,
    **documented(
        summary="Sync status of every integration",
        description=(
            "Per integration: platform, account, status (pending, syncing, success, "
            "failed), last synced time, last error, attempt and retry state, next "
            "scheduled sync; per data type the latest run. Plus an org-wide summary."
        ),
        response_example=examples.SYNC_STATUS,
    ),
)
async def sync_status(org_id: OrgAccess, session: SessionDep) -> Response:
    return json_response(await org_sync_status(session, org_id))


@router.get(
    "/orgs/{org_id}/sync/integrations/{integration_id}/status",
    response_model=IntegrationSyncDetail,
    **documented(
        summary="Sync status of one integration",
        description="The integration's status with its 20 most recent runs and their attempts.",
        response_example=examples.INTEGRATION_DETAIL,
    ),
)
async def integration_sync_status(
    org_id: OrgAccess, integration_id: IntegrationId, session: SessionDep
) -> Response:
    status = await org_sync_status(session, org_id, integration_id)
    if not status.integrations:
        raise not_found("integration")
    runs = await recent_runs(session, integration_id)
    return json_response(
        IntegrationSyncDetail(integration=status.integrations[0], recent_runs=runs)
    )


async def _trigger(
    services: Services,
    org_id: UUID,
    integration_id: UUID | None,
    request: TriggerRequest | None,
    requested_by: str,
) -> Response:
    # The organization's own limit (settings), read per request so a change applies at once.
    limit = await manual_trigger_limit(services.uow(), org_id, default_trigger_limit(services))
    await limits.enforce(services, services.trigger_limiter, "trigger", org_id, limit)
    data_type = (request or TriggerRequest()).data_type
    command = TriggerSync(org_id, integration_id, data_type, requested_by)
    try:
        runs = await trigger_sync(command, services.uow())
    except IntegrationNotFoundError:
        raise not_found("integration") from None
    return json_response(TriggerResponse(org_id=org_id, runs=runs), 202)


def _documented_trigger(summary: str, description: str, accepted: str) -> dict[str, Any]:
    return documented(
        summary=summary,
        description=description + _TRIGGER_TEXT,
        status_code=202,
        request_example=examples.TRIGGER_REQUEST,
        response_example=examples.TRIGGER_RESPONSE,
        errors=(401, 404, 422, 429),
        response_description=f"Accepted: {accepted} (or already queued/running).",
    )


TriggerBody = Annotated[TriggerRequest | None, Body()]


@router.post(
    "/orgs/{org_id}/sync/trigger",
    response_model=TriggerResponse,
    **_documented_trigger(
        "Sync every integration now",
        "Requests a manual sync of every connected integration.",
        "the runs queued",
    ),
)
@members_may_write
async def trigger_org_sync(
    org_id: OrgAccess, user: CurrentUser, services: ServicesDep, request: TriggerBody = None
) -> Response:
    return await _trigger(services, org_id, None, request, user.email)


@router.post(
    "/orgs/{org_id}/sync/integrations/{integration_id}/trigger",
    response_model=TriggerResponse,
    **_documented_trigger(
        "Sync one integration now",
        "Requests a manual sync of one integration.",
        "the run queued",
    ),
)
@members_may_write
async def trigger_integration_sync(
    org_id: OrgAccess,
    integration_id: IntegrationId,
    user: CurrentUser,
    services: ServicesDep,
    request: TriggerBody = None,
) -> Response:
    return await _trigger(services, org_id, integration_id, request, user.email)


@router.get(
    "/orgs/{org_id}/sync/statistics",
    response_model=SyncStatistics,
    **documented(
        summary="Sync statistics",
        description=(
            "Over the last `days`: runs by outcome, success rate, duration p50/p95, "
            "failed attempts by error class and by platform, and data freshness per "
            "integration."
        ),
        response_example=examples.STATISTICS,
        errors=(401, 404, 422, 429),
    ),
)
async def statistics(
    org_id: OrgAccess,
    session: SessionDep,
    services: ServicesDep,
    days: Annotated[int, Query(ge=1, le=365, description="Period in days.")] = 7,
) -> Response:
    await limits.enforce(services, services.statistics_limiter, "statistics", org_id)
    return json_response(await sync_statistics(session, org_id, system_clock(), days))
