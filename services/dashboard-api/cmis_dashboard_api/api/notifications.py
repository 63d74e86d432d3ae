"""Notification channels, their deliveries, and silences: organization admins only (reads
too: a channel's URL host and its delivery errors are an admin's business)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query
from starlette.responses import Response

from cmis_dashboard_api.api.deps import CurrentUser, OrgAccess, ServicesDep
from cmis_dashboard_api.api.docs import documented
from cmis_dashboard_api.api.errors import ApiError, forbidden, not_found
from cmis_dashboard_api.api.responses import json_response
from cmis_dashboard_api.handlers import notifications
from cmis_dashboard_api.schemas.notifications import (
    AttemptPage,
    ChannelCreated,
    ChannelList,
    ChannelOut,
    CreateChannel,
    CreateSilence,
    SilenceList,
    SilenceOut,
    TestQueued,
    UpdateChannel,
)
from cmis_shared.clock import system_clock

router = APIRouter(tags=["notifications"])
ChannelId = Annotated[UUID, Path(description="Notification channel id.")]
SilenceId = Annotated[UUID, Path(description="Silence id.")]
CHANNELS = "/orgs/{org_id}/notification-channels"
CHANNEL = CHANNELS + "/{channel_id}"
SILENCES = "/orgs/{org_id}/notification-silences"
ADMIN_ERRORS = (401, 403, 404, 422)


async def _admin_org(org_id: OrgAccess, user: CurrentUser) -> UUID:
    if org_id not in user.admin_org_ids:
        raise forbidden("notification settings need the organization's admin role")
    return org_id


AdminOrg = Annotated[UUID, Depends(_admin_org)]

_ROUTING = {"alert_types": ["budget", "sync_failure"], "min_severity": "warning",
            "quiet_hours": {"start": "22:00", "end": "07:00"}}  # fmt: skip
CHANNEL_EXAMPLE = {
    "id": "6f1c2b8e-8a54-4c1e-9c57-1f0c1d2e3a4b", "name": "Ops webhook", "kind": "webhook",
    "target_hint": "https://hooks.example.com", "routing": _ROUTING, "enabled": True,
    "disabled_reason": None, "consecutive_failures": 0, "created_at": "2026-11-30T09:00:00Z",
}  # fmt: skip
CREATE_EXAMPLE = {"name": "Ops webhook", "kind": "webhook",
                  "url": "https://hooks.example.com/cmis", "routing": _ROUTING}  # fmt: skip
ATTEMPT_EXAMPLE = {
    "id": 42, "notification_id": "0b7d9c1e-2f3a-4b5c-8d6e-7f8091a2b3c4",
    "notification_kind": "firing", "attempt": 2, "status": "failed", "reason": "http_500",
    "response_code": 500, "latency_ms": 87, "error": "internal error",
    "at": "2026-11-30T09:01:00Z",
}  # fmt: skip
SILENCE_EXAMPLE = {"subject_id": "3c1e0f9a-7b2d-4e8f-9a1b-2c3d4e5f6a7b", "alert_type": "budget",
                   "expires_at": "2026-12-01T09:00:00Z", "comment": "launch day"}  # fmt: skip


@router.get(
    CHANNELS,
    response_model=ChannelList,
    **documented(
        summary="Notification channels",
        description="Where the organization's alerts go: webhooks, Slack-compatible "
        "webhooks and e-mail addresses, with their routing and health.",
        response_example={"channels": [CHANNEL_EXAMPLE]},
        errors=ADMIN_ERRORS,
    ),
)
async def list_channels(org_id: AdminOrg, services: ServicesDep) -> Response:
    rows = await notifications.list_channels(services.uow(), org_id)
    return json_response(ChannelList(channels=rows))


@router.post(
    CHANNELS,
    response_model=ChannelCreated,
    **documented(
        summary="Add a notification channel",
        description="`webhook` and `slack` take `url`, `email` takes `to`; the URL is stored "
        "encrypted and never returned. A webhook's `signing_secret` (HMAC-SHA256 over "
        "`{timestamp}.{body}`, header `X-CMIS-Signature`) is shown in this answer only.",
        status_code=201,
        request_example=CREATE_EXAMPLE,
        response_example={**CHANNEL_EXAMPLE, "signing_secret": "whsec_3q2+7w..."},
        errors=ADMIN_ERRORS,
        response_description="Created.",
    ),
)
async def create_channel(org_id: AdminOrg, body: CreateChannel, services: ServicesDep) -> Response:
    created = await notifications.create_channel(services.uow(), org_id, body)
    return json_response(created, 201)


@router.patch(
    CHANNEL,
    response_model=ChannelOut,
    **documented(
        summary="Change a notification channel",
        description="Name, target, routing, or `enabled: true` to re-enable a channel that "
        "was disabled after failing (its failure count starts again).",
        request_example={"enabled": True, "routing": {"min_severity": "critical"}},
        response_example=CHANNEL_EXAMPLE,
        errors=(*ADMIN_ERRORS, 409),
    ),
)
async def update_channel(
    org_id: AdminOrg, channel_id: ChannelId, body: UpdateChannel, services: ServicesDep
) -> Response:
    try:
        row = await notifications.update_channel(services.uow(), org_id, channel_id, body)
    except ValueError as error:  # ChannelKindConflict (as before: any ValueError is a 409)
        raise ApiError(409, str(error), code="kind_conflict") from None
    if row is None:
        raise not_found("notification channel")
    return json_response(row)


def _removal(summary: str, description: str) -> dict[str, Any]:
    """Route keywords of a DELETE answering 204."""
    return {
        "response_class": Response,
        **documented(
            summary=summary, description=description, status_code=204, response_example=None,
            errors=ADMIN_ERRORS, response_description="Removed (no body).",
        ),
    }  # fmt: skip


def _removed(found: bool, what: str) -> Response:
    if not found:
        raise not_found(what)
    return Response(status_code=204)


@router.delete(
    CHANNEL,
    **_removal(
        "Remove a notification channel",
        "Its pending notifications and delivery history go with it.",
    ),
)
async def delete_channel(
    org_id: AdminOrg, channel_id: ChannelId, services: ServicesDep
) -> Response:
    found = await notifications.delete_channel(services.uow(), org_id, channel_id)
    return _removed(found, "notification channel")


@router.post(
    CHANNEL + "/test",
    response_model=TestQueued,
    **documented(
        summary="Send a test notification",
        description="Queues a sample alert in the real schema; the notifier sends it within "
        "seconds, signed and retried like any other. Its attempts appear under deliveries.",
        status_code=202,
        response_example={"notification_id": "0b7d9c1e-2f3a-4b5c-8d6e-7f8091a2b3c4"},
        errors=(*ADMIN_ERRORS, 409),
        response_description="Queued.",
    ),
)
async def test_channel(org_id: AdminOrg, channel_id: ChannelId, services: ServicesDep) -> Response:
    try:
        queued = await notifications.test_channel(services.uow(), org_id, channel_id)
    except notifications.ChannelDisabled as error:
        raise ApiError(409, f"the channel is disabled ({error}); enable it first") from None
    if queued is None:
        raise not_found("notification channel")
    return json_response(TestQueued(notification_id=queued), 202)


@router.get(
    CHANNEL + "/deliveries",
    response_model=AttemptPage,
    **documented(
        summary="Delivery attempts of a channel",
        description="Every attempt, newest first: status, reason, response code, latency. "
        "Pass `next_cursor` back as `cursor` for older ones.",
        response_example={"attempts": [ATTEMPT_EXAMPLE], "next_cursor": "42"},
        errors=ADMIN_ERRORS,
    ),
)
async def deliveries(
    org_id: AdminOrg,
    channel_id: ChannelId,
    services: ServicesDep,
    cursor: Annotated[
        int | None, Query(ge=1, le=2**63 - 1, description="From a previous page.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    page = await notifications.deliveries(services.uow(), org_id, channel_id, cursor, limit)
    if page is None:
        raise not_found("notification channel")
    return json_response(page)


@router.get(
    SILENCES,
    response_model=SilenceList,
    **documented(
        summary="Active silences",
        description="Subjects whose alerts send no notification until the silence expires.",
        response_example={
            "silences": [
                {
                    **SILENCE_EXAMPLE,
                    "id": CHANNEL_EXAMPLE["id"],
                    "created_at": "2026-11-30T09:00:00Z",
                }
            ]
        },
        errors=ADMIN_ERRORS,
    ),
)
async def list_silences(org_id: AdminOrg, services: ServicesDep) -> Response:
    rows = await notifications.list_silences(services.uow(), org_id, system_clock())
    return json_response(SilenceList(silences=rows))


@router.post(
    SILENCES,
    response_model=SilenceOut,
    **documented(
        summary="Silence a subject",
        description="No notification about the subject (of one alert type, or any) until "
        "`expires_at`; alerts still firing then are notified.",
        status_code=201,
        request_example=SILENCE_EXAMPLE,
        response_example={
            **SILENCE_EXAMPLE,
            "id": CHANNEL_EXAMPLE["id"],
            "created_at": "2026-11-30T09:00:00Z",
        },
        errors=ADMIN_ERRORS,
        response_description="Created.",
    ),
)
async def create_silence(org_id: AdminOrg, body: CreateSilence, services: ServicesDep) -> Response:
    row = await notifications.create_silence(services.uow(), org_id, body)
    return json_response(row, 201)


@router.delete(
    SILENCES + "/{silence_id}",
    **_removal("End a silence", "Notifications about the subject resume."),
)
async def delete_silence(
    org_id: AdminOrg, silence_id: SilenceId, services: ServicesDep
) -> Response:
    found = await notifications.delete_silence(services.uow(), org_id, silence_id)
    return _removed(found, "silence")
