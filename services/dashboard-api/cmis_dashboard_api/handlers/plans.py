"""KPI targets and scheduled content: add, change, remove. Each commits, then has the view
reload the org's plans, so the dashboard shows the change at once; the caller gets the row."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from cmis_dashboard_api.ports import Out, Plans, PlansChanged, UnitOfWork

# Which table: ``lambda uow: uow.kpis`` or ``lambda uow: uow.content``.
Table = Callable[[UnitOfWork], Plans[Out]]


async def list_plans(uow: UnitOfWork, table: Table[Out], org_id: UUID) -> list[Out]:
    async with uow:
        return await table(uow).list(org_id)


async def add_plan(
    uow: UnitOfWork, table: Table[Out], changed: PlansChanged, org_id: UUID, values: dict[str, Any]
) -> Out:
    async with uow:
        row = await table(uow).add(org_id, values)
        await uow.commit()
    await changed(org_id)
    return row


async def change_plan(
    uow: UnitOfWork,
    table: Table[Out],
    changed: PlansChanged,
    org_id: UUID,
    row_id: UUID,
    values: dict[str, Any],
) -> Out | None:
    """The changed row, or None when the org has no such row."""
    async with uow:
        row = await table(uow).change(org_id, row_id, values)
        if row is None:
            return None
        await uow.commit()
    await changed(org_id)
    return row


async def remove_plan(
    uow: UnitOfWork, table: Table[Out], changed: PlansChanged, org_id: UUID, row_id: UUID
) -> bool:
    async with uow:
        if not await table(uow).remove(org_id, row_id):
            return False
        await uow.commit()
    await changed(org_id)
    return True
