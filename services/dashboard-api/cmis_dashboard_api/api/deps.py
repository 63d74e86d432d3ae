"""FastAPI dependencies, as ``Annotated`` aliases: the process's services, a database
session, the authenticated caller and the organization they may access."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from cmis_dashboard_api.api.errors import not_found, unauthorized
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


async def _current_user(
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    if credentials is None:
        raise unauthorized("missing bearer token")
    principal = await services.auth.authenticate(credentials.credentials)
    if principal is None:
        raise unauthorized("invalid or revoked token")
    return principal


CurrentUser = Annotated[Principal, Depends(_current_user)]


async def _org_access(
    org_id: Annotated[UUID, Path(description="Organization id.")], user: CurrentUser
) -> UUID:
    # Another org's id answers exactly as a missing one does: existence is not revealed.
    if org_id not in user.org_ids:
        raise not_found("organization")
    return org_id


OrgAccess = Annotated[UUID, Depends(_org_access)]
