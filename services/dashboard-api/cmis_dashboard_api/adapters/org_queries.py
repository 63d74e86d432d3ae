"""Organizations a user belongs to."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cmis_dashboard_api.schemas.orgs import OrganizationOut
from cmis_shared.db.models import Organization, OrgMember


async def user_organizations(session: AsyncSession, user_id: UUID) -> list[OrganizationOut]:
    rows = await session.execute(
        select(Organization.id, Organization.name, Organization.timezone, OrgMember.role)
        .join(OrgMember, OrgMember.org_id == Organization.id)
        .where(OrgMember.user_id == user_id)
        .order_by(Organization.name)
    )
    return [OrganizationOut(id=r.id, name=r.name, timezone=r.timezone, role=r.role) for r in rows]
