"""People's sign-in: ``POST /auth/login`` (email and password for an expiring API token),
``POST /auth/logout`` (revokes the token presented) and ``GET /me`` (who the caller is, their
organizations and their role in each)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials
from starlette.responses import Response

from cmis_dashboard_api.adapters.accounts import revoke_presented
from cmis_dashboard_api.adapters.org_queries import user_organizations
from cmis_dashboard_api.api import examples
from cmis_dashboard_api.api.deps import CurrentUser, ServicesDep, SessionDep, bearer, client_address
from cmis_dashboard_api.api.docs import documented
from cmis_dashboard_api.api.errors import ApiError, rate_limited, unauthorized
from cmis_dashboard_api.api.responses import json_response
from cmis_dashboard_api.handlers.sign_in import SignInFailedError, SignInThrottledError
from cmis_dashboard_api.schemas.auth import Me, SignedIn, SignInBody, UserOut
from cmis_shared.db.models import User

router = APIRouter(tags=["sign-in"])


@router.post(
    "/auth/login",
    response_model=SignedIn,
    **documented(
        summary="Sign in",
        description=(
            "Trade an email and password for an API token that expires (12 hours by "
            "default; `expires_at` says when). Send it as `Authorization: Bearer <token>`. "
            "A wrong password and an unknown email answer the same 401. Failed sign-ins "
            "are limited per account and per client address: past the limit, 429 with "
            "`Retry-After`, checked before the password. No token is needed for this route."
        ),
        request_example=examples.SIGN_IN,
        response_example=examples.SIGNED_IN,
        errors=(401, 422, 429),
    ),
)
async def sign_in(body: SignInBody, request: Request, services: ServicesDep) -> Response:
    try:
        issued = await services.sign_in.sign_in(body.email, body.password, client_address(request))
    except SignInThrottledError as refused:
        retry_after = refused.retry_after_seconds
        raise rate_limited("too many failed sign-ins; retry later", retry_after) from None
    except SignInFailedError:
        raise ApiError(401, "email or password is wrong") from None
    return json_response(SignedIn(token=issued.token, expires_at=issued.expires_at))


@router.post(
    "/auth/logout",
    **documented(
        summary="Sign out",
        description=(
            "Revoke the token this request presents (any token: sign-in or `cmis-admin`). "
            "Other API processes stop accepting it within their auth-cache period (30 s by "
            "default)."
        ),
        response_example=None,
        status_code=204,
        errors=(401,),
        response_description="Signed out: the token no longer works.",
    ),
)
async def sign_out(
    _: CurrentUser,
    services: ServicesDep,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer)],
) -> Response:
    async with session.begin():
        await revoke_presented(session, credentials.credentials)
    services.auth.forget_token(credentials.credentials)
    return Response(status_code=204)


@router.get(
    "/me",
    response_model=Me,
    **documented(
        summary="Who am I",
        description="The signed-in user, their organizations and their role in each "
        "(`member` reads; `admin` also changes integrations, KPIs, content and settings).",
        response_example=examples.ME,
        errors=(401,),
    ),
)
async def me(user: CurrentUser, session: SessionDep) -> Response:
    row = await session.get(User, user.user_id)
    if row is None:  # deleted since its token was cached
        raise unauthorized("the token's user no longer exists")
    profile = UserOut(id=row.id, email=row.email, name=row.name)
    organizations = await user_organizations(session, user.user_id)
    return json_response(Me(user=profile, organizations=organizations))
