"""Server-Sent Events per organization: sync status changes, alerts and dashboard changes,
as they happen (fanned out through Redis, so any API process can serve any client)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import UUID

import orjson
from fastapi import APIRouter
from sse_starlette import EventSourceResponse, ServerSentEvent

from cmis_dashboard_api.adapters.live import LiveHub
from cmis_dashboard_api.api.deps import OrgAccess, ServicesDep
from cmis_dashboard_api.api.docs import error_responses

router = APIRouter(tags=["live updates"])

_EXAMPLE = (
    'event: sync_status\ndata: {"type":"sync_status","section":"sync_status",'
    '"event_type":"sync.started","integration_id":"0b7e3c9a-2d4f-4e61-8f0a-5c2d9e1b3a47",'
    '"data_type":"metrics","status":"syncing"}\n\n'
    'event: alert\ndata: {"type":"alert","severity":"warning","message":"..."}\n\n'
    'event: dashboard\ndata: {"type":"dashboard","section":"figures"}\n\n'
)


async def _stream(live: LiveHub, org_id: UUID) -> AsyncIterator[ServerSentEvent]:
    async with live.listen(org_id) as queue:
        yield ServerSentEvent(data='{"type":"ready"}', event="ready")
        while True:
            message = await queue.get()
            kind = orjson.loads(message).get("type", "dashboard")
            yield ServerSentEvent(data=message.decode(), event=kind)


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
        **error_responses(401, 404, 422),
    },
)
async def live_events(org_id: OrgAccess, services: ServicesDep) -> EventSourceResponse:
    return EventSourceResponse(
        _stream(services.live, org_id), ping=int(services.settings.sse_ping_seconds)
    )
