"""Reading the audit log a page at a time (newest first)."""

from __future__ import annotations

from uuid import UUID

from cmis_dashboard_api.ports import UnitOfWork
from cmis_dashboard_api.schemas.audit import AuditPage


async def audit_page(uow: UnitOfWork, org_id: UUID, cursor: UUID | None, limit: int) -> AuditPage:
    """Raises CursorNotFoundError for a cursor that is not one of the organization's."""
    async with uow:
        entries = await uow.audit.page(org_id, cursor, limit + 1)
    more = len(entries) > limit
    entries = entries[:limit]
    return AuditPage(entries=entries, next_cursor=str(entries[-1].id) if more else None)
