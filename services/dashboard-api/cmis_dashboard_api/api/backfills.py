"""Backfills: read a date range again on demand, follow its progress, cancel it; and the days
with no data, which one call backfills."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from cmis_dashboard_api.api import examples
from cmis_dashboard_api.api.deps import CurrentUser, OrgAccess, ServicesDep, members_may_write
from cmis_dashboard_api.api.docs import documented
from cmis_dashboard_api.api.errors import ApiError, not_found
from cmis_dashboard_api.api.responses import json_response
from cmis_dashboard_api.domain.backfill import BackfillRangeError
from cmis_dashboard_api.handlers.backfills import (
    RequestBackfill,
    cancel_backfill,
    integration_gaps,
    request_backfill,
)
from cmis_dashboard_api.handlers.trigger import IntegrationNotFoundError
from cmis_dashboard_api.schemas.backfills import (
    BackfillList,
    BackfillOut,
    BackfillRequest,
    Day,
    GapsOut,
)
from cmis_shared.clock import system_clock

router = APIRouter(tags=["sync"])
BackfillId = Annotated[UUID, Path(description="Backfill id.")]

_REQUEST_TEXT = (
    "Splits the range into windows each platform accepts in one request (Google 31 days, "
    "Meta 30, TikTok 30, LinkedIn 31, X 7) per integration and data type, and answers 202 at "
    "once; the scheduler sends the windows below scheduled syncs, within each platform's "
    "rate budget, a few per integration at a time. Days that a running or finished backfill "
    "already covers are not planned again (a request wholly covered, or an organization "
    "with no connected account, answers `completed` with no windows). `only_gaps: true` "
    "reads only the days with no daily metrics (see `GET /sync/gaps`). Progress: `GET` "
    "this backfill, or the live stream's `backfill` events. 422 when `since` is after "
    "`until`, `until` is in the future, or `since` is older than a platform keeps daily "
    "data (Google and Meta 37 months)."
)


@router.post(
    "/orgs/{org_id}/backfills",
    response_model=BackfillOut,
    **documented(
        summary="Backfill a date range",
        description=_REQUEST_TEXT,
        status_code=202,
        request_example=examples.BACKFILL_REQUEST,
        response_example=examples.BACKFILL,
        errors=(401, 404, 422),
        response_description="Accepted: the backfill and its planned windows.",
    ),
)
@members_may_write
async def create_backfill(
    org_id: OrgAccess, body: BackfillRequest, user: CurrentUser, services: ServicesDep
) -> Response:
    command = RequestBackfill(
        org_id=org_id,
        requested_by=user.email,
        since=body.since,
        until=body.until,
        integration_ids=tuple(body.integration_ids) if body.integration_ids else None,
        data_types=tuple(body.data_types),
        only_gaps=body.only_gaps,
    )
    try:
        out = await request_backfill(command, services.uow(), system_clock)
    except IntegrationNotFoundError:
        raise not_found("integration") from None
    except BackfillRangeError as error:
        raise ApiError(422, str(error)) from None
    return json_response(out, 202)


@router.get(
    "/orgs/{org_id}/backfills",
    response_model=BackfillList,
    **documented(
        summary="Backfills",
        description="The organization's latest backfills, newest first, with their progress.",
        response_example={"backfills": [examples.BACKFILL]},
    ),
)
async def list_backfills(
    org_id: OrgAccess,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=100, description="At most this many.")] = 20,
) -> Response:
    async with services.uow() as uow:
        found = await uow.backfills.list(org_id, limit)
    return json_response(BackfillList(backfills=found))


@router.get(
    "/orgs/{org_id}/backfills/{backfill_id}",
    response_model=BackfillOut,
    **documented(
        summary="One backfill",
        description="Windows done of total, failed and cancelled windows, rows stored.",
        response_example=examples.BACKFILL,
    ),
)
async def get_backfill(
    org_id: OrgAccess, backfill_id: BackfillId, services: ServicesDep
) -> Response:
    async with services.uow() as uow:
        found = await uow.backfills.get(org_id, backfill_id)
    if found is None:
        raise not_found("backfill")
    return json_response(found)


@router.post(
    "/orgs/{org_id}/backfills/{backfill_id}/cancel",
    response_model=BackfillOut,
    **documented(
        summary="Cancel a backfill",
        description=(
            "Windows not yet sent are cancelled; windows already with a worker finish and "
            "count. Cancelling a finished backfill changes nothing."
        ),
        response_example={**examples.BACKFILL, "status": "cancelled", "windows_cancelled": 7,
                          "windows_pending": 0},
        errors=(401, 404, 422),
    ),
)  # fmt: skip
@members_may_write
async def cancel(org_id: OrgAccess, backfill_id: BackfillId, services: ServicesDep) -> Response:
    found = await cancel_backfill(org_id, backfill_id, services.uow(), system_clock)
    if found is None:
        raise not_found("backfill")
    return json_response(found)


@router.get(
    "/orgs/{org_id}/sync/gaps",
    response_model=GapsOut,
    **documented(
        summary="Days with no data",
        description=(
            "Per integration (or the one named), the runs of days in the range with no daily "
            "metrics; default range the last 90 days. `POST /backfills` with `only_gaps: true` "
            "and the same range fills them."
        ),
        response_example=examples.GAPS,
        sample_query="since=2023-10-18&until=2024-01-15",
    ),
)
async def gaps(
    org_id: OrgAccess,
    services: ServicesDep,
    integration_id: Annotated[UUID | None, Query(description="Only this integration.")] = None,
    since: Annotated[Day | None, Query(description="First day (default: 90 days ago).")] = None,
    until: Annotated[Day | None, Query(description="Last day (default: today, UTC).")] = None,
) -> Response:
    try:
        found = await integration_gaps(
            org_id, integration_id, since, until, services.uow(), system_clock
        )
    except IntegrationNotFoundError:
        raise not_found("integration") from None
    except BackfillRangeError as error:
        raise ApiError(422, str(error)) from None
    return json_response(found)
