"""KPI targets and scheduled content: the org's own planning data (dashboard-api owns it).
One repository class serves both tables; rows leave it as their response schema."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic
from uuid import UUID

from sqlalchemy import Select, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from cmis_dashboard_api.ports import DuplicateNameError, Out
from cmis_dashboard_api.schemas.plans import ContentOut, KpiOut
from cmis_shared.db.models import Kpi, ScheduledContent

CONTENT_LISTED = 200


class SqlPlans(Generic[Out]):
    def __init__(
        self,
        session: AsyncSession,
        model: type[Any],
        out: type[Out],
        listing: Callable[[UUID], Select[Any]],
    ) -> None:
        self._session = session
        self._model = model
        self._out: type[Out] = out
        self._listing = listing

    def _dto(self, row: Any) -> Out:
        return self._out.model_validate(row, from_attributes=True)

    async def list(self, org_id: UUID) -> list[Out]:
        return [self._dto(row) for row in await self._session.scalars(self._listing(org_id))]

    async def add(self, org_id: UUID, values: dict[str, Any]) -> Out:
        row = self._model(org_id=org_id, **values)
        self._session.add(row)
        return await self._saved(row)

    async def change(self, org_id: UUID, row_id: UUID, values: dict[str, Any]) -> Out | None:
        row = await self._session.scalar(
            select(self._model).where(self._model.id == row_id, self._model.org_id == org_id)
        )
        if row is None:
            return None
        for key, value in values.items():
            setattr(row, key, value)
        return await self._saved(row)

    async def remove(self, org_id: UUID, row_id: UUID) -> bool:
        model = self._model
        result = await self._session.execute(
            delete(model).where(model.id == row_id, model.org_id == org_id).returning(model.id)
        )
        return result.first() is not None

    async def _saved(self, row: Any) -> Out:
        try:
            await self._session.flush()
        except IntegrityError as error:
            raise DuplicateNameError(str(error.orig)) from None
        await self._session.refresh(row)
        return self._dto(row)


def _kpi_listing(org_id: UUID) -> Select[Any]:
    return select(Kpi).where(Kpi.org_id == org_id).order_by(Kpi.name)


def _content_listing(org_id: UUID) -> Select[Any]:
    return (
        select(ScheduledContent)
        .where(ScheduledContent.org_id == org_id)
        .order_by(ScheduledContent.scheduled_for)
        .limit(CONTENT_LISTED)
    )


def kpis(session: AsyncSession) -> SqlPlans[KpiOut]:
    return SqlPlans(session, Kpi, KpiOut, _kpi_listing)


def content(session: AsyncSession) -> SqlPlans[ContentOut]:
    return SqlPlans(session, ScheduledContent, ContentOut, _content_listing)
