"""FastAPI dependencies, as ``Annotated`` aliases: the process's services, a database
session, the authenticated caller and the organization they may access.

Roles are checked here, in one place, so a new route cannot forget them: any method but GET
and HEAD on an organization needs the admin role, except the routes marked
:func:`members_may_write` (manual sync triggers and the dashboard refresh)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any, TypeVar
from uuid import UUID

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from cmis_dashboard_api.api.errors import forbidden, not_found, rate_limited, unauthorized
from cmis_dashboard_api.bootstrap import Services
from cmis_dashboard_api.ports import Principal

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiToken",
    description="An API token from `cmis-admin issue-token`: `Authorization: Bearer <token>`.",
)


async def _services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


ServicesDep = Annotated[Services, Depends(_services)]


async def _session(services: ServicesDep) -> AsyncIterator[AsyncSession]:
    async with services.runtime.sessions() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(_session)]


READ_METHODS = frozenset({"GET", "HEAD"})
_MEMBER_WRITE = "_cmis_members_may_write"

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def members_may_write(endpoint: Endpoint) -> Endpoint:
    """Mark a state-changing route that members (not only admins) may call."""
    setattr(endpoint, _MEMBER_WRITE, True)
    return endpoint


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def current_user(
    request: Request,
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    if credentials is None:
        raise unauthorized("missing bearer token")
    # Guessing tokens costs a database lookup each: an address that keeps failing waits.
    address, now = client_address(request), time.monotonic()
    retry_after = services.failed_auth.retry_after(address, now)
    if retry_after is not None:
        raise rate_limited("too many failed authentications; retry later", retry_after)
    principal = await services.auth.authenticate(credentials.credentials)
    if principal is None:
        services.failed_auth.record(address, now)
        raise unauthorized("invalid, expired or revoked token")
    return principal


CurrentUser = Annotated[Principal, Depends(current_user)]


async def _org_access(
    request: Request,
    org_id: Annotated[UUID, Path(description="Organization id.")],
    user: CurrentUser,
) -> UUID:
    # Another org's id answers exactly as a missing one does: existence is not revealed.
    if org_id not in user.org_ids:
        raise not_found("organization")
    if needs_admin(request) and org_id not in user.admin_org_ids:
        raise forbidden("this change needs the organization's admin role")
    return org_id


def needs_admin(request: Request) -> bool:
    if request.method in READ_METHODS:
        return False
    return not getattr(request.scope.get("endpoint"), _MEMBER_WRITE, False)


OrgAccess = Annotated[UUID, Depends(_org_access)]
