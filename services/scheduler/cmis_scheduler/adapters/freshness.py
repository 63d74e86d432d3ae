"""Counting stale integrations (see :mod:`cmis_scheduler.domain.freshness`) in one statement:
enabled schedule entries of active integrations older than the stale window with no
successful run of their data type, nor a full ``all`` sync, that finished inside it. Each
lookup is an index-only probe of ``ix_sync_runs_lane_status_finished_at`` (integration, data
type, status, finished_at). Measured: 300,000 entries against 2.4 million runs in 3.7 s on
the 2-core development host (5.7-7.7 s with one ``data_type IN (...)`` probe through the
requested_at index instead), hence a pass every 5 minutes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from cmis_scheduler.domain.freshness import STALE_AFTER_PERIODS, StaleCount
from cmis_shared.events import DataType, IntegrationStatus, Platform
from cmis_shared.statuses import RunStatus

_STALE = text(
    """
    SELECT e.platform, e.data_type, count(*) AS stale
    FROM schedule_entries e
    JOIN integrations i ON i.id = e.integration_id
    CROSS JOIN LATERAL (
        SELECT CAST(:now AS timestamptz) - make_interval(secs => :periods * e.period_seconds)
               AS since
    ) w
    WHERE e.enabled AND i.status = :active AND i.created_at < w.since
      AND NOT EXISTS (
        SELECT 1 FROM sync_runs r
        WHERE r.integration_id = e.integration_id AND r.data_type = e.data_type
          AND r.status = :success AND r.finished_at >= w.since
      )
      AND NOT EXISTS (
        SELECT 1 FROM sync_runs r
        WHERE r.integration_id = e.integration_id AND r.data_type = :all
          AND r.status = :success AND r.finished_at >= w.since
      )
    GROUP BY e.platform, e.data_type
    """
)


class FreshnessStore:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def stale_counts(self, now: datetime) -> list[StaleCount]:
        rows = await self._session.execute(
            _STALE,
            {
                "now": now,
                "periods": STALE_AFTER_PERIODS,
                "active": IntegrationStatus.ACTIVE.value,
                "success": RunStatus.SUCCESS.value,
                "all": DataType.ALL.value,
            },
        )
        return [
            StaleCount(Platform(platform), DataType(data_type), int(count))
            for platform, data_type, count in rows
        ]
