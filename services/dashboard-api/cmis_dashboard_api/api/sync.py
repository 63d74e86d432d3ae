"""Sync status, history, manual triggers and statistics."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Path, Query
from starlette.responses import Response

from cmis_dashboard_api.adapters.sync_commands import request_sync, trigger_targets
from cmis_dashboard_api.adapters.sync_queries import org_sync_status, recent_runs, sync_statistics
from cmis_dashboard_api.api import examples
from cmis_dashboard_api.api.docs import documented
from cmis_dashboard_api.api.responses import json_response
from cmis_dashboard_api.deps import CurrentUser, OrgAccess, ServicesDep, SessionDep
from cmis_dashboard_api.errors import ApiError, not_found
from cmis_dashboard_api.schemas.sync import (
    IntegrationSyncDetail,
    OrgSyncStatus,
    SyncStatistics,
    TriggerRequest,
    TriggerResponse,
)
from cmis_dashboard_api.services import Services
from cmis_shared.events import utc_now
from cmis_shared.uow import UnitOfWork

router = APIRouter(tags=["sync"])
IntegrationId = Annotated[UUID, Path(description="Integration id.")]

_TRIGGER_TEXT = (
    " Answers 202 with the run ids. A sync of the same integration and data type that is "
    "already queued or running is returned (`created: false`), not queued again. Manual "
    "requests overtake scheduled ones. Rate limited per organization (429 + Retry-After)."
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
    request: TriggerRequest,
    requested_by: str,
) -> Response:
    retry_after = await services.trigger_limiter.hit(
        services.settings.redis_key("ratelimit", "trigger", org_id.hex)
    )
    if retry_after is not None:
        raise ApiError(
            429,
            "too many sync triggers; retry later",
            details={"retry_after_seconds": int(retry_after)},
            headers={"Retry-After": str(int(retry_after))},
        )
    async with UnitOfWork(services.runtime.sessions) as uow:
        targets = await trigger_targets(uow, org_id, integration_id)
        if integration_id is not None and not targets:
            raise not_found("integration")
        runs = [
            await request_sync(uow, org_id, target, request.data_type, requested_by)
            for target in targets
        ]
        await uow.commit()
    return json_response(TriggerResponse(org_id=org_id, runs=runs), 202)


@router.post(
    "/orgs/{org_id}/sync/trigger",
    response_model=TriggerResponse,
    **documented(
        summary="Sync every integration now",
        description="Requests a manual sync of every connected integration." + _TRIGGER_TEXT,
        status_code=202,
        request_example=examples.TRIGGER_REQUEST,
        response_example=examples.TRIGGER_RESPONSE,
        errors=(401, 404, 422, 429),
        response_description="Accepted: the runs queued (or already queued/running).",
    ),
)
async def trigger_org_sync(
    org_id: OrgAccess,
    user: CurrentUser,
    services: ServicesDep,
    request: Annotated[TriggerRequest | None, Body()] = None,
) -> Response:
    return await _trigger(services, org_id, None, request or TriggerRequest(), user.email)


@router.post(
    "/orgs/{org_id}/sync/integrations/{integration_id}/trigger",
    response_model=TriggerResponse,
    **documented(
        summary="Sync one integration now",
        description="Requests a manual sync of one integration." + _TRIGGER_TEXT,
        status_code=202,
        request_example=examples.TRIGGER_REQUEST,
        response_example=examples.TRIGGER_RESPONSE,
        errors=(401, 404, 422, 429),
        response_description="Accepted: the run queued (or already queued/running).",
    ),
)
async def trigger_integration_sync(
    org_id: OrgAccess,
    integration_id: IntegrationId,
    user: CurrentUser,
    services: ServicesDep,
    request: Annotated[TriggerRequest | None, Body()] = None,
) -> Response:
    return await _trigger(services, org_id, integration_id, request or TriggerRequest(), user.email)


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
    ),
)
async def statistics(
    org_id: OrgAccess,
    session: SessionDep,
    days: Annotated[int, Query(ge=1, le=365, description="Period in days.")] = 7,
) -> Response:
    return json_response(await sync_statistics(session, org_id, utc_now(), days))
