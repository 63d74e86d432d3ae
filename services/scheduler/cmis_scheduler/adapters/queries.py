"""Read side (SQL, so an adapter): when each integration of an organization syncs next
(the dashboard's "next sync" and "next attempt"). dashboard-api may also read
``schedule_entries.next_due_at`` (``enabled``) and ``retry_entries.due_at``
(``dispatched_at IS NULL``) directly; this is the same query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

_NEXT_SYNCS = text(
    """
    WITH entries AS (
        SELECT integration_id, platform, data_type, next_due_at FROM schedule_entries
        WHERE org_id = :org_id AND enabled
    ), retries AS (
        SELECT integration_id, platform, data_type, min(due_at) AS retry_due_at
        FROM retry_entries WHERE org_id = :org_id AND dispatched_at IS NULL
        GROUP BY integration_id, platform, data_type
    )
    SELECT COALESCE(e.integration_id, r.integration_id) AS integration_id,
           COALESCE(e.platform, r.platform) AS platform,
           COALESCE(e.data_type, r.data_type) AS data_type,
           e.next_due_at, r.retry_due_at
    FROM entries e FULL OUTER JOIN retries r
      ON r.integration_id = e.integration_id AND r.data_type = e.data_type
    ORDER BY LEAST(e.next_due_at, r.retry_due_at), 1, 3
    """
)


@dataclass(frozen=True)
class NextSync:
    integration_id: UUID
    platform: str
    data_type: str
    next_due_at: datetime | None  # None: not scheduled (paused, switched off), retry only
    retry_due_at: datetime | None  # a pending retry of a failed run, if any


async def next_syncs(session: AsyncSession, org_id: UUID) -> list[NextSync]:
    rows = await session.execute(_NEXT_SYNCS, {"org_id": org_id})
    return [NextSync(*row) for row in rows]
