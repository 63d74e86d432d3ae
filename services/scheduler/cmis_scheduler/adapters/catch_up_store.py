"""Re-planning entries missed during downtime (see :mod:`cmis_scheduler.domain.catch_up`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cmis_scheduler.domain.catch_up import catch_up_at
from cmis_scheduler.domain.stagger import offset_fraction

_MISSED = text(
    """
    SELECT id, integration_id, data_type, period_seconds FROM schedule_entries
    WHERE enabled AND next_due_at < :before
    ORDER BY next_due_at LIMIT :limit
    FOR UPDATE SKIP LOCKED
    """
)
_REPLAN = text(
    """
    UPDATE schedule_entries se SET next_due_at = u.due
    FROM unnest(CAST(:ids AS uuid[]), CAST(:dues AS timestamptz[])) AS u(id, due)
    WHERE se.id = u.id
    """
)


async def replan_missed(
    sessions: async_sessionmaker[AsyncSession],
    now: datetime,
    threshold: timedelta,
    window_seconds: int,
    chunk: int = 5000,
) -> int:
    """Spread every entry overdue by more than ``threshold`` over the catch-up window."""
    replanned = 0
    while True:
        async with sessions() as session, session.begin():
            rows = (
                await session.execute(_MISSED, {"before": now - threshold, "limit": chunk})
            ).all()
            if not rows:
                return replanned
            dues = [
                catch_up_at(
                    now,
                    offset_fraction(row.integration_id, row.data_type),
                    row.period_seconds,
                    window_seconds,
                )
                for row in rows
            ]
            await session.execute(_REPLAN, {"ids": [row.id for row in rows], "dues": dues})
        replanned += len(rows)
