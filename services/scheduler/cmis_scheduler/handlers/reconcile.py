"""Keeping schedule entries in line with the integrations table: for one integration when
an ``integration.*`` event arrives, and for all of them at start-up (integrations created
while no scheduler ran, or seeded directly, still get their entries)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from cmis_scheduler.domain.entries import EntryState, IntegrationView, plan_entries
from cmis_scheduler.ports import Entries, UnitsOfWork


async def reconcile_integrations(
    entries: Entries, integration_ids: Sequence[UUID], now: datetime
) -> int:
    """Plan and write the entries of these integrations; returns the entries written."""
    views = await entries.views(integration_ids)
    return await _write_plans(entries, views, now)


async def _write_plans(entries: Entries, views: Sequence[IntegrationView], now: datetime) -> int:
    existing = await entries.existing([view.integration_id for view in views])
    planned: list[tuple[IntegrationView, EntryState]] = [
        (view, state)
        for view in views
        for state in plan_entries(view, existing.get(view.integration_id, {}), now)
    ]
    await entries.write(planned)
    return len(planned)


async def reconcile_all(uows: UnitsOfWork, now: datetime, page_size: int = 2000) -> int:
    """Every integration, a page per unit of work. Safe to run on several replicas at once."""
    written = 0
    after: UUID | None = None
    while True:
        async with uows() as uow:
            views = await uow.entries.views_after(after, page_size)
            if not views:
                return written
            written += await _write_plans(uow.entries, views, now)
            await uow.commit()
        after = views[-1].integration_id
