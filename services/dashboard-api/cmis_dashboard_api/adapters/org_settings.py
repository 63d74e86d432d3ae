"""An organization's stored settings: the ``timezone`` and ``currency`` columns and the
``settings`` JSON of overrides that the scheduler, alerting and this API read."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from cmis_dashboard_api.domain.org_settings import OrgSettings
from cmis_shared.db.models import Integration, Organization
from cmis_shared.statuses import IntegrationStatus

_COLUMNS = (Organization.timezone, Organization.currency, Organization.settings)


class SqlOrgSettings:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lock(self, org_id: UUID) -> OrgSettings:
        row = (
            await self._session.execute(
                select(*_COLUMNS).where(Organization.id == org_id).with_for_update()
            )
        ).one()
        return OrgSettings(row.timezone, row.currency, row.settings or {})

    async def read(self, org_id: UUID) -> OrgSettings:
        row = (
            await self._session.execute(select(*_COLUMNS).where(Organization.id == org_id))
        ).one()
        return OrgSettings(row.timezone, row.currency, row.settings or {})

    async def save(self, org_id: UUID, settings: OrgSettings) -> None:
        await self._session.execute(
            update(Organization)
            .where(Organization.id == org_id)
            .values(
                timezone=settings.timezone,
                currency=settings.currency,
                settings=dict(settings.overrides),
            )
        )

    async def first_account_currency(self, org_id: UUID) -> str | None:
        return await self._session.scalar(
            select(Integration.currency)
            .where(
                Integration.org_id == org_id,
                Integration.currency.is_not(None),
                Integration.status != IntegrationStatus.DISCONNECTED,
            )
            .order_by(Integration.created_at, Integration.id)
            .limit(1)
        )
