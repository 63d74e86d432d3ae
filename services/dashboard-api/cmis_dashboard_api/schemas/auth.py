"""Bodies of sign-in, the caller's own profile and live stream tickets."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, StringConstraints

from cmis_dashboard_api.domain.passwords import MAX_LENGTH
from cmis_dashboard_api.schemas.common import NO_NUL, Body
from cmis_dashboard_api.schemas.orgs import OrganizationOut

Email = Annotated[str, StringConstraints(min_length=3, max_length=320, pattern=NO_NUL)]
# Any length is checked (a wrong short password fails like any other): only the upper bound.
Password = Annotated[str, StringConstraints(min_length=1, max_length=MAX_LENGTH)]


class SignInBody(Body):
    email: Email
    password: Password


class SignedIn(BaseModel):
    token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime


class UserOut(BaseModel):
    id: UUID
    email: str
    name: str


class Me(BaseModel):
    user: UserOut
    organizations: list[OrganizationOut]


class StreamTicket(BaseModel):
    ticket: str
    expires_in: int
    url: str
