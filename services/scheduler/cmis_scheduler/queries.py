"""Read side: when each integration of an organization syncs next (the dashboard's
"next sync"). dashboard-api may also read ``schedule_entries.next_due_at`` and
``retry_entries.due_at`` (``dispatched_at IS NULL``) directly; this is the same query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

_NEXT_SYNCS = text(
    """
    SELECT se.integration_id, se.platform, se.data_type, se.next_due_at,
           (SELECT min(r.due_at) FROM retry_entries r
            WHERE r.integration_id = se.integration_id AND r.data_type = se.data_type
              AND r.dispatched_at IS NULL) AS retry_due_at
    FROM schedule_entries se
    WHERE se.org_id = :org_id AND se.enabled
    ORDER BY se.next_due_at, se.integration_id, se.data_type
    """
)


@dataclass(frozen=True)
class NextSync:
    integration_id: UUID
    platform: str
    data_type: str
    next_due_at: datetime
    retry_due_at: datetime | None  # a pending retry of a failed run, if any


async def next_syncs(session: AsyncSession, org_id: UUID) -> list[NextSync]:
    rows = await session.execute(_NEXT_SYNCS, {"org_id": org_id})
    return [NextSync(*row) for row in rows]
