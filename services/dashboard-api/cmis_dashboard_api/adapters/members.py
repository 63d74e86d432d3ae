"""Organization members (``org_members`` joined with ``users``)."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from cmis_dashboard_api.domain.roles import Role
from cmis_dashboard_api.ports import UserRef
from cmis_dashboard_api.schemas.members import MemberOut
from cmis_shared.db.models import OrgMember, User

_MEMBERS = select(User.id, User.email, User.name, OrgMember.role).join(
    OrgMember, OrgMember.user_id == User.id
)


class SqlMembers:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def list(self, org_id: UUID) -> list[MemberOut]:
        rows = await self._session.execute(
            _MEMBERS.where(OrgMember.org_id == org_id).order_by(User.email)
        )
        return [MemberOut(user_id=r.id, email=r.email, name=r.name, role=r.role) for r in rows]

    async def roles(self, org_id: UUID) -> dict[UUID, str]:
        rows = await self._session.execute(
            select(OrgMember.user_id, OrgMember.role).where(OrgMember.org_id == org_id)
        )
        return {row.user_id: row.role for row in rows}

    async def find_user(self, email: str) -> UserRef | None:
        row = (
            await self._session.execute(
                select(User.id, User.email, User.name).where(User.email == email)
            )
        ).first()
        return None if row is None else UserRef(row.id, row.email, row.name)

    async def add(self, org_id: UUID, user: UserRef, role: str) -> MemberOut | None:
        added = await self._session.scalar(
            insert(OrgMember)
            .values(org_id=org_id, user_id=user.user_id, role=role)
            .on_conflict_do_nothing()
            .returning(OrgMember.user_id)
        )
        if added is None:
            return None
        return MemberOut(user_id=user.user_id, email=user.email, name=user.name, role=Role(role))

    async def set_role(self, org_id: UUID, user_id: UUID, role: str) -> MemberOut:
        await self._session.execute(
            update(OrgMember)
            .where(OrgMember.org_id == org_id, OrgMember.user_id == user_id)
            .values(role=role)
        )
        row = (
            await self._session.execute(
                _MEMBERS.where(OrgMember.org_id == org_id, OrgMember.user_id == user_id)
            )
        ).one()
        return MemberOut(user_id=row.id, email=row.email, name=row.name, role=row.role)

    async def remove(self, org_id: UUID, user_id: UUID) -> None:
        await self._session.execute(
            delete(OrgMember).where(OrgMember.org_id == org_id, OrgMember.user_id == user_id)
        )
