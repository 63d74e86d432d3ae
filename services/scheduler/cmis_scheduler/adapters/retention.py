"""Deleting what retention lets go, one bounded batch per statement: each DELETE takes at
most ``LIMIT`` rows found through an index on the time column (migration 0003), so a purge
never holds long locks or scans a table, however much has piled up. The same housekeeping
creates ``daily_metrics``' monthly partitions ahead of the rows that will need them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from cmis_scheduler.domain.retention import Cutoffs
from cmis_shared.statuses import RunStatus

_PROCESSED_EVENTS = text(
    """
    DELETE FROM processed_events WHERE (consumer, event_id) IN (
        SELECT consumer, event_id FROM processed_events
        WHERE processed_at < :before LIMIT :limit
    )
    """
)
# Terminal runs only; their attempts and retry entries go with them (ON DELETE CASCADE).
_SYNC_RUNS = text(
    """
    DELETE FROM sync_runs WHERE id IN (
        SELECT id FROM sync_runs
        WHERE finished_at < :before AND status IN (:success, :failed) LIMIT :limit
    )
    """
)
_RETRY_ENTRIES = text(
    """
    DELETE FROM retry_entries WHERE id IN (
        SELECT id FROM retry_entries WHERE dispatched_at < :before LIMIT :limit
    )
    """
)

_ENSURE_PARTITIONS = text("SELECT cmis_ensure_daily_metrics_partitions(:first, :last)")


class RetentionStore:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def purge(self, cutoffs: Cutoffs, batch_size: int) -> dict[str, int]:
        deleted: dict[str, int] = {}
        statements = (
            ("processed_events", _PROCESSED_EVENTS, {"before": cutoffs.processed_events}),
            ("sync_runs", _SYNC_RUNS, {
                "before": cutoffs.sync_runs,
                "success": RunStatus.SUCCESS.value,
                "failed": RunStatus.FAILED.value,
            }),
            ("retry_entries", _RETRY_ENTRIES, {"before": cutoffs.retry_entries}),
        )  # fmt: skip
        for table, statement, params in statements:
            result = await self._session.execute(statement, {**params, "limit": batch_size})
            deleted[table] = result.rowcount  # type: ignore[attr-defined]
        return deleted

    async def ensure_metric_partitions(self, first: date, last: date) -> int:
        """The function migration 0015 installed (it also moves a month's rows out of the
        DEFAULT partition when it creates that month)."""
        created = await self._session.scalar(_ENSURE_PARTITIONS, {"first": first, "last": last})
        return int(created or 0)
