"""Server-Sent Events per organization: sync status changes, alerts and dashboard changes,
as they happen (fanned out through Redis, so any API process can serve any client).

A browser's ``EventSource`` cannot send headers: it first asks ``POST …/live/tickets`` (with
its token) for a single-use ticket valid 30 s, then opens ``…/events?ticket=…``. Every
event carries an ``id``; a reconnecting client sends it back (``Last-Event-ID`` header, or
``lastEventId`` in the query next to a new ticket) and is replayed what it missed from the
org's buffer, or told ``reset`` when that is no longer buffered.

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
from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.background import BackgroundTask
from starlette.responses import Response

from cmis_dashboard_api.adapters.live import CATCH_UP, LiveHub, LiveMessage, event_order
from cmis_dashboard_api.api import examples
from cmis_dashboard_api.api.deps import (
    CurrentUser,
    OrgAccess,
    ServicesDep,
    bearer,
    client_address,
    current_user,
    members_may_write,
)
from cmis_dashboard_api.api.docs import documented, error_responses
from cmis_dashboard_api.api.errors import not_found, rate_limited, unauthorized
from cmis_dashboard_api.api.responses import json_response
from cmis_dashboard_api.bootstrap import Services
from cmis_dashboard_api.domain.live_events import EVENTS_DESCRIPTION, EVENTS_EXAMPLE
from cmis_dashboard_api.domain.stream_slots import StreamSlot
from cmis_dashboard_api.domain.tokens import hash_token
from cmis_dashboard_api.ports import Principal
from cmis_dashboard_api.schemas.auth import StreamTicket

router = APIRouter(tags=["live updates"])

# Retry-After of a refused stream: long enough for another stream of the user to end.
STREAM_RETRY_AFTER_SECONDS = 10
# Even with no auth cache, a stream re-checks at most this often (each check may hit the DB).
MIN_RECHECK_SECONDS = 0.1
RESET = orjson.dumps(
    {"type": "reset", "reason": "the events since your last one are no longer buffered; "
     "reload the dashboard"}
).decode()  # fmt: skip


def _event(message: LiveMessage) -> ServerSentEvent:
    event_id, data = message
    kind = orjson.loads(data).get("type", "dashboard")
    return ServerSentEvent(data=data.decode(), event=kind, id=event_id)


class _Resume:
    """Where a stream stands: the id of the last event sent, so the hub's live copies of
    events already replayed from the buffer are skipped."""

    def __init__(self, live: LiveHub, org_id: UUID, last_sent: str) -> None:
        self._live = live
        self._org_id = org_id
        self.last_sent = last_sent

    async def replay(self) -> list[ServerSentEvent]:
        """What followed ``last_sent`` in the buffer, or one ``reset`` when it left it."""
        missed = await self._live.since(self._org_id, self.last_sent)
        if missed is None:
            self.last_sent = await self._live.position(self._org_id)
            return [ServerSentEvent(data=RESET, event="reset", id=self.last_sent)]
        return [event for message in missed if (event := self.admit(message)) is not None]

    def admit(self, message: LiveMessage) -> ServerSentEvent | None:
        if event_order(message[0]) <= event_order(self.last_sent):
            return None
        self.last_sent = message[0]
        return _event(message)


async def _still_allowed(
    services: Services, caller: Principal, token_hash: str, org_id: UUID
) -> bool:
    principal = await services.auth.authenticate_hash(token_hash)
    return (
        principal is not None
        and principal.user_id == caller.user_id
        and org_id in principal.org_ids
    )


async def _stream(
    services: Services,
    org_id: UUID,
    caller: Principal,
    token_hash: str,
    slot: StreamSlot,
    resume_from: str | None,
) -> AsyncIterator[ServerSentEvent]:
    recheck = max(services.settings.auth_cache_seconds, MIN_RECHECK_SECONDS)
    try:
        async with services.live.listen(org_id) as queue:  # listening before reading: no gap
            start = resume_from or await services.live.position(org_id)
            resume = _Resume(services.live, org_id, start)
            yield ServerSentEvent(data='{"type":"ready"}', event="ready", id=start)
            if resume_from is not None:
                for event in await resume.replay():
                    yield event
            checked = time.monotonic()
            while True:
                timeout = max(0.0, checked + recheck - time.monotonic())
                try:
                    message: LiveMessage | None = await asyncio.wait_for(queue.get(), timeout)
                except TimeoutError:
                    message = None
                if time.monotonic() - checked >= recheck:
                    if not await _still_allowed(services, caller, token_hash, org_id):
                        return
                    checked = time.monotonic()
                if message == CATCH_UP:
                    for event in await resume.replay():
                        yield event
                elif message is not None and (admitted := resume.admit(message)) is not None:
                    yield admitted
    finally:
        slot.release()


async def _stream_caller(
    request: Request,
    services: Services,
    org_id: UUID,
    credentials: HTTPAuthorizationCredentials | None,
    ticket: str | None,
) -> tuple[Principal, str]:
    """The caller and the hash of the token their stream depends on: from a ticket when one
    is given, else from the bearer token."""
    if ticket is None:
        principal = await current_user(request, services, credentials)
        assert credentials is not None
        token_hash = hash_token(credentials.credentials)
    else:
        address, now = client_address(request), time.monotonic()
        retry_after = services.failed_auth.retry_after(address, now)
        if retry_after is not None:
            raise rate_limited("too many failed authentications; retry later", retry_after)
        holder = await services.tickets.redeem(ticket, org_id)
        found = holder and await services.auth.authenticate_hash(holder.token_hash)
        if holder is None or not found or found.user_id != holder.user_id:
            services.failed_auth.record(address, now)
            raise unauthorized("invalid, expired or already used ticket")
        principal, token_hash = found, holder.token_hash
    if org_id not in principal.org_ids:
        raise not_found("organization")
    return principal, token_hash


@router.get(
    "/orgs/{org_id}/events",
    summary="Live updates (Server-Sent Events)",
    description=EVENTS_DESCRIPTION,
    response_class=EventSourceResponse,
    responses={
        200: {
            "description": "The event stream (see the event table above).",
            "content": {
                "text/event-stream": {"schema": {"type": "string"}, "example": EVENTS_EXAMPLE}
            },
        },
        **error_responses(401, 404, 422, 429),
    },
)
async def live_events(
    request: Request,
    org_id: Annotated[UUID, Path(description="Organization id.")],
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ticket: Annotated[
        str | None,
        Query(
            max_length=100,
            description="A single-use ticket from `POST /api/orgs/{org_id}/live/tickets`, "
            "for clients that cannot send `Authorization` (a browser's `EventSource`).",
        ),
    ] = None,
    last_event_id: Annotated[
        str | None,
        Header(
            alias="Last-Event-ID",
            max_length=50,
            description="Resume after this event id (sent by `EventSource` on reconnect).",
        ),
    ] = None,
    last_event_id_query: Annotated[
        str | None,
        Query(
            alias="lastEventId",
            max_length=50,
            description="The same as `Last-Event-ID`, for a reconnect with a new ticket.",
        ),
    ] = None,
) -> EventSourceResponse:
    caller, token_hash = await _stream_caller(request, services, org_id, credentials, ticket)
    slot = services.streams.acquire(caller.user_id)
    if slot is None:
        raise rate_limited("too many open live streams", STREAM_RETRY_AFTER_SECONDS)
    resume_from = last_event_id or last_event_id_query
    return EventSourceResponse(
        _stream(services, org_id, caller, token_hash, slot, resume_from),
        ping=int(services.settings.sse_ping_seconds),
        background=BackgroundTask(slot.release),
    )


@router.post(
    "/orgs/{org_id}/live/tickets",
    response_model=StreamTicket,
    **documented(
        summary="A ticket to open the live stream from a browser",
        description=(
            "`EventSource` cannot send `Authorization`, and a token must never sit in a URL. "
            "This returns a random ticket that opens `GET /api/orgs/{org_id}/events?ticket=…` "
            "once, within `expires_in` seconds (30 by default); members may ask for one. To "
            "reconnect, ask for a new ticket and add `lastEventId=<id of the last event>`."
        ),
        status_code=201,
        response_example=examples.STREAM_TICKET,
        errors=(401, 404, 422),
    ),
)
@members_may_write
async def issue_stream_ticket(
    org_id: OrgAccess,
    user: CurrentUser,
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer)],
) -> Response:
    ticket = await services.tickets.issue(org_id, user.user_id, hash_token(credentials.credentials))
    body = StreamTicket(
        ticket=ticket,
        expires_in=services.tickets.lifetime_seconds,
        url=f"/api/orgs/{org_id}/events?ticket={ticket}",
    )
    return json_response(body, 201)
