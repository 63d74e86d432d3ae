"""Server-Sent Events per organization: sync status changes, alerts and dashboard changes,
as they happen (fanned out through Redis, so any API process can serve any client).

A stream re-checks its token at least every auth-cache period and ends when the token was
revoked or expired or the user left the organization. Streams are capped per user and per
process (429 with ``Retry-After`` beyond)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Annotated
from uuid import UUID

import orjson
from fastapi import APIRouter, Depends
from fastapi.security import HTTPAuthorizationCredentials
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.background import BackgroundTask

from cmis_dashboard_api.api.deps import CurrentUser, OrgAccess, ServicesDep, bearer
from cmis_dashboard_api.api.docs import error_responses
from cmis_dashboard_api.api.errors import rate_limited
from cmis_dashboard_api.bootstrap import Services
from cmis_dashboard_api.domain.stream_slots import StreamSlot

router = APIRouter(tags=["live updates"])

_EXAMPLE = (
    'event: sync_status\ndata: {"type":"sync_status","section":"sync_status",'
    '"event_type":"sync.started","integration_id":"0b7e3c9a-2d4f-4e61-8f0a-5c2d9e1b3a47",'
    '"data_type":"metrics","status":"syncing"}\n\n'
    'event: alert\ndata: {"type":"alert","severity":"warning","message":"..."}\n\n'
    'event: dashboard\ndata: {"type":"dashboard","section":"figures"}\n\n'
)


# Retry-After of a refused stream: long enough for another stream of the user to end.
STREAM_RETRY_AFTER_SECONDS = 10
# Even with no auth cache, a stream re-checks at most this often (each check may hit the DB).
MIN_RECHECK_SECONDS = 0.1


async def _still_allowed(services: Services, token: str, org_id: UUID) -> bool:
    principal = await services.auth.authenticate(token)
    return principal is not None and org_id in principal.org_ids


async def _stream(
    services: Services, org_id: UUID, token: str, slot: StreamSlot
) -> AsyncIterator[ServerSentEvent]:
    recheck = max(services.settings.auth_cache_seconds, MIN_RECHECK_SECONDS)
    try:
        async with services.live.listen(org_id) as queue:
            yield ServerSentEvent(data='{"type":"ready"}', event="ready")
            checked = time.monotonic()
            while True:
                timeout = max(0.0, checked + recheck - time.monotonic())
                try:
                    message: bytes | None = await asyncio.wait_for(queue.get(), timeout)
                except TimeoutError:
                    message = None
                if time.monotonic() - checked >= recheck:
                    if not await _still_allowed(services, token, org_id):
                        return
                    checked = time.monotonic()
                if message is not None:
                    kind = orjson.loads(message).get("type", "dashboard")
                    yield ServerSentEvent(data=message.decode(), event=kind)
    finally:
        slot.release()


@router.get(
    "/orgs/{org_id}/events",
    summary="Live updates (Server-Sent Events)",
    description=(
        "A `text/event-stream` of the organization's changes: `sync_status` (a sync was "
        "requested, started, completed or failed), `alert` (raised or resolved) and "
        "`dashboard` (figures, accounts or plans changed: re-read the dashboard). The first "
        "event is `ready`; comments keep the connection alive."
    ),
    response_class=EventSourceResponse,
    responses={
        200: {
            "description": "The event stream.",
            "content": {"text/event-stream": {"schema": {"type": "string"}, "example": _EXAMPLE}},
        },
        **error_responses(401, 404, 422, 429),
    },
)
async def live_events(
    org_id: OrgAccess,
    user: CurrentUser,
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer)],
) -> EventSourceResponse:
    slot = services.streams.acquire(user.user_id)
    if slot is None:
        raise rate_limited("too many open live streams", STREAM_RETRY_AFTER_SECONDS)
    return EventSourceResponse(
        _stream(services, org_id, credentials.credentials, slot),
        ping=int(services.settings.sse_ping_seconds),
        background=BackgroundTask(slot.release),
    )
