"""Connecting platform accounts through the platform's own OAuth consent: start (admins),
the platform's callback (authenticated by the signed state, no bearer token), then the
pending grant's accounts and the choice of those to connect."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import RedirectResponse, Response

from cmis_dashboard_api.api import examples
from cmis_dashboard_api.api.deps import CurrentUser, OrgAccess, ServicesDep
from cmis_dashboard_api.api.docs import documented
from cmis_dashboard_api.api.errors import ApiError, not_found
from cmis_dashboard_api.api.responses import json_response
from cmis_dashboard_api.domain.oauth import (
    FAILURE_CODES,
    ChoiceError,
    OAuthFailure,
    PendingGrant,
    PlatformNotConfigured,
    ReturnUrlRefused,
)
from cmis_dashboard_api.schemas.oauth import (
    AuthorizationOut,
    ChoosableAccountOut,
    ConnectedOut,
    ConnectPending,
    PendingOut,
    StartOAuth,
)
from cmis_shared.events import Platform

router = APIRouter(tags=["oauth"])
PlatformPath = Annotated[Platform, Path(description="The platform to connect.")]
PendingId = Annotated[UUID, Path(description="The pending grant's id (`oauth_pending`).")]
PENDING = "/orgs/{org_id}/integrations/oauth/pending/{pending_id}"
CallbackParam = Annotated[str | None, Query(max_length=4096)]
_CODES = "\n".join(f"- `{code}`: {text}" for code, text in FAILURE_CODES.items())


@router.post(
    "/orgs/{org_id}/integrations/oauth/{platform}/start",
    response_model=AuthorizationOut,
    **documented(
        summary="Start connecting accounts through OAuth",
        description=(
            "Answers the platform's consent URL: send the browser there. After the consent "
            "the platform calls back this API, which exchanges the code on the server and "
            "sends the browser to `return_url` with `oauth_pending=<id>` (then read "
            "`GET …/oauth/pending/{id}` and connect with `POST …/connect`) or with "
            "`oauth_error=<code>`:\n\n" + _CODES + "\n\nGoogle uses PKCE; X is OAuth 1.0a "
            "(the request-token step happens here). `return_url` must be on the server's "
            "allow-list (422 otherwise); a platform without client credentials answers 409."
        ),
        request_example=examples.OAUTH_START,
        response_example=examples.OAUTH_AUTHORIZATION,
        errors=(401, 403, 404, 409, 422, 502),
    ),
)
async def start_oauth(
    org_id: OrgAccess,
    platform: PlatformPath,
    body: StartOAuth,
    user: CurrentUser,
    services: ServicesDep,
) -> Response:
    try:
        started = await services.oauth.start(user, org_id, platform.value, body.return_url)
    except ReturnUrlRefused:
        raise ApiError(
            422,
            "invalid request: body.return_url",
            code="validation_error",
            details=[
                {
                    "field": "body.return_url",
                    "message": "not an allowed frontend URL",
                    "type": "return_url_not_allowed",
                }
            ],
        ) from None
    except PlatformNotConfigured:
        raise ApiError(
            409, f"no OAuth client is configured for {platform.value}", code="not_configured"
        ) from None
    except OAuthFailure as failure:
        raise ApiError(502, "the platform could not be reached", code=failure.code) from None
    return json_response(AuthorizationOut(**vars(started)))


@router.get(
    "/oauth/{platform}/callback",
    response_class=Response,
    **documented(
        summary="The platforms' OAuth callback",
        description=(
            "Called by the browser as the platform redirects it after the consent; needs no "
            "bearer token (the signed, single-use `state` authenticates). Answers 303 to the "
            "frontend's return URL with `oauth_pending=<id>` or `oauth_error=<code>` and "
            "`platform`; a state that is missing, tampered with, expired or already used "
            "answers 400 (`invalid_state`, `state_expired`, `state_used`). Register "
            "`<public base URL>/api/oauth/<platform>/callback` with each platform."
        ),
        status_code=303,
        response_example=None,
        response_description="To the frontend's return URL (`Location`).",
        errors=(400, 422),
    )
    | {"openapi_extra": {"security": []}},  # no bearer token: the signed state authenticates
)
async def oauth_callback(
    request: Request,
    platform: PlatformPath,
    services: ServicesDep,
    state: CallbackParam = None,
    code: CallbackParam = None,
    auth_code: CallbackParam = None,
    error: CallbackParam = None,
    oauth_token: CallbackParam = None,
    oauth_verifier: CallbackParam = None,
    denied: CallbackParam = None,
) -> Response:
    params = {key: value for key, value in request.query_params.items() if len(value) <= 4096}
    try:
        location = await services.oauth.callback(platform.value, params)
    except OAuthFailure as failure:
        raise ApiError(400, FAILURE_CODES[failure.code], code=failure.code) from None
    # The callback URL held the code: no caching, and no Referer carrying it onwards.
    headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    return RedirectResponse(location, status_code=303, headers=headers)


def _pending_out(pending: PendingGrant) -> PendingOut:
    return PendingOut(
        id=pending.id,
        platform=pending.platform,
        expires_at=pending.expires_at,
        accounts=[ChoosableAccountOut(**account.as_dict()) for account in pending.accounts],
    )


@router.get(
    PENDING,
    response_model=PendingOut,
    **documented(
        summary="A pending OAuth grant's accounts",
        description=(
            "The accounts, pages and manager accounts the grant reaches (an agency's "
            "manager account lists its clients), for the user who started the consent. "
            "Pending grants expire; another user's or organization's answers 404."
        ),
        response_example=examples.OAUTH_PENDING,
    ),
)
async def get_pending(
    org_id: OrgAccess, pending_id: PendingId, user: CurrentUser, services: ServicesDep
) -> Response:
    pending = await services.oauth.pending(user, org_id, pending_id)
    if pending is None:
        raise not_found("pending grant")
    return json_response(_pending_out(pending))


@router.post(
    PENDING + "/connect",
    response_model=ConnectedOut,
    **documented(
        summary="Connect accounts of a pending OAuth grant",
        description=(
            "Creates (or reconnects) one integration per chosen account with the grant's "
            "tokens (stored encrypted) and publishes `integration.connected` for each, which "
            "schedules their syncs. The grant is used up. Meta: `pages` attaches a page "
            "(and its Instagram account) to a chosen ad account."
        ),
        status_code=201,
        request_example=examples.OAUTH_CONNECT,
        response_example=examples.OAUTH_CONNECTED,
        response_description="Connected.",
        errors=(401, 403, 404, 422),
    ),
)
async def connect_pending(
    org_id: OrgAccess,
    pending_id: PendingId,
    body: ConnectPending,
    user: CurrentUser,
    services: ServicesDep,
) -> Response:
    try:
        connected = await services.oauth.connect(
            user, org_id, pending_id, body.account_ids, body.pages
        )
    except ChoiceError as error:
        raise ApiError(
            422,
            "invalid request: body.account_ids",
            code="validation_error",
            details=[{"field": "body.account_ids", "message": str(error), "type": "choice"}],
        ) from None
    if connected is None:
        raise not_found("pending grant")
    return json_response(ConnectedOut(integrations=connected), 201)
