"""Bodies of the member routes."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, Field, StringConstraints

from cmis_dashboard_api.domain.roles import Role
from cmis_dashboard_api.schemas.common import Body

# What users.email holds (320 characters); no NUL (PostgreSQL text cannot hold it).
Email = Annotated[
    str, StringConstraints(min_length=3, max_length=320, pattern=r"^[^\x00]*@[^\x00]*$")
]


class MemberIn(Body):
    email: Email = Field(description="The email of an existing user (`cmis-admin create-user`).")
    role: Role = Role.MEMBER


class MemberRole(Body):
    role: Role


class MemberOut(BaseModel):
    user_id: UUID
    email: str
    name: str
    role: Role


class MemberList(BaseModel):
    members: list[MemberOut]
