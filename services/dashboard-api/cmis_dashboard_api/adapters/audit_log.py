"""The audit log: one row per change, written in the change's transaction; read newest
first, a page at a time, by ``(created_at, id)`` (indexed)."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from cmis_dashboard_api.ports import AuditRecord, CursorNotFoundError
from cmis_dashboard_api.schemas.audit import AuditEntry
from cmis_shared.db.models import AuditLog


class SqlAuditLog:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, entry: AuditRecord) -> None:
        self._session.add(
            AuditLog(
                org_id=entry.org_id,
                actor_user_id=entry.actor.user_id,
                actor_email=entry.actor.email,
                action=entry.action,
                target_type=entry.target_type,
                target_id=entry.target_id,
                before=entry.before,
                after=entry.after,
            )
        )
        await self._session.flush()

    async def page(self, org_id: UUID, after: UUID | None, limit: int) -> list[AuditEntry]:
        query = select(AuditLog).where(AuditLog.org_id == org_id)
        if after is not None:
            cursor = (
                await self._session.execute(
                    select(AuditLog.created_at, AuditLog.id).where(
                        AuditLog.org_id == org_id, AuditLog.id == after
                    )
                )
            ).first()
            if cursor is None:
                raise CursorNotFoundError(str(after))
            query = query.where(
                tuple_(AuditLog.created_at, AuditLog.id) < tuple_(cursor.created_at, cursor.id)
            )
        rows = await self._session.scalars(
            query.order_by(AuditLog.created_at.desc(), AuditLog.id.desc()).limit(limit)
        )
        return [
            AuditEntry(
                id=row.id,
                at=row.created_at,
                actor_user_id=row.actor_user_id,
                actor_email=row.actor_email,
                action=row.action,
                target_type=row.target_type,
                target_id=row.target_id,
                before=row.before,
                after=row.after,
            )
            for row in rows
        ]
