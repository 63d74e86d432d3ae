"""Retention of ``alert_history``: old rows deleted in bounded batches, oldest first, through
the index on ``at`` (migration 0004), so one delete never holds many locks or a long scan."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from cmis_shared.db.models import AlertHistory


class AlertHistoryStore:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def delete_before(self, cutoff: datetime, limit: int) -> int:
        oldest = (
            select(AlertHistory.id)
            .where(AlertHistory.at < cutoff)
            .order_by(AlertHistory.at)
            .limit(limit)
            .scalar_subquery()
        )
        result = await self._session.execute(
            delete(AlertHistory).where(AlertHistory.id.in_(oldest))
        )
        assert isinstance(result, CursorResult)
        return result.rowcount
