"""KPI targets and scheduled content: the org's own planning data (dashboard-api owns it)."""

from __future__ import annotations

from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from cmis_shared.db.models import Kpi, ScheduledContent

Row = TypeVar("Row", Kpi, ScheduledContent)
CONTENT_LISTED = 200


class DuplicateNameError(ValueError):
    """A KPI with this name already exists in the organization."""


async def list_kpis(session: AsyncSession, org_id: UUID) -> list[Kpi]:
    return list(await session.scalars(select(Kpi).where(Kpi.org_id == org_id).order_by(Kpi.name)))


async def list_content(session: AsyncSession, org_id: UUID) -> list[ScheduledContent]:
    query = (
        select(ScheduledContent)
        .where(ScheduledContent.org_id == org_id)
        .order_by(ScheduledContent.scheduled_for)
        .limit(CONTENT_LISTED)
    )
    return list(await session.scalars(query))


async def find(session: AsyncSession, model: type[Row], org_id: UUID, row_id: UUID) -> Row | None:
    return await session.scalar(select(model).where(model.id == row_id, model.org_id == org_id))


async def add(session: AsyncSession, row: Row) -> Row:
    session.add(row)
    await _flush(session)
    await session.refresh(row)
    return row


async def change(session: AsyncSession, row: Row, values: dict[str, Any]) -> Row:
    for key, value in values.items():
        setattr(row, key, value)
    await _flush(session)
    await session.refresh(row)
    return row


async def remove(session: AsyncSession, model: type[Row], org_id: UUID, row_id: UUID) -> bool:
    result = await session.execute(
        delete(model).where(model.id == row_id, model.org_id == org_id).returning(model.id)
    )
    return result.first() is not None


async def _flush(session: AsyncSession) -> None:
    try:
        await session.flush()
    except IntegrityError as error:
        raise DuplicateNameError(str(error.orig)) from None
