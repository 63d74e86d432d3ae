"""Dispatching backfill windows: pending windows of one platform claimed with
``FOR UPDATE SKIP LOCKED`` (two replicas never send the same window), and in the same
transaction their ``sync_runs`` (trigger backfill), their ``sync.requested`` (outbox, with
the window's dates) and the windows marked dispatched."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import text

from cmis_scheduler.adapters.unit_of_work import SqlUnitOfWork
from cmis_scheduler.domain.backfill import PendingWindow
from cmis_shared.events import (
    BackfillStatus,
    DataType,
    IntegrationStatus,
    Platform,
    SyncRequested,
    SyncTrigger,
)
from cmis_shared.statuses import RunStatus, WindowStatus

# Candidates first (window functions cannot take row locks), then the lock on them. Oldest
# backfill first, newest days first within it; never more per integration than could go now.
_CLAIM = text(
    """
    SELECT w.id, w.backfill_id, w.org_id, w.integration_id, w.platform, w.data_type,
           w.window_start, w.window_end, w.attempt, b.correlation_id, b.requested_by
    FROM backfill_windows w
    JOIN backfills b ON b.id = w.backfill_id
    WHERE w.id IN (
        SELECT id FROM (
            SELECT c.id, row_number() OVER (
                       PARTITION BY c.integration_id
                       ORDER BY cb.requested_at, c.window_end DESC) AS n
            FROM backfill_windows c
            JOIN backfills cb ON cb.id = c.backfill_id
            JOIN integrations i ON i.id = c.integration_id
            WHERE c.platform = :platform AND c.status = :pending AND c.not_before <= :now
              AND cb.status = :running AND i.status = :active
        ) ranked WHERE n <= :per_integration
    )
    AND w.status = :pending
    ORDER BY b.requested_at, w.window_end DESC, w.id
    LIMIT :limit
    FOR UPDATE OF w SKIP LOCKED
    """
)
_IN_FLIGHT = text(
    "SELECT integration_id, count(*) AS n FROM backfill_windows "
    "WHERE integration_id = ANY(:ids) AND status = :dispatched GROUP BY integration_id"
)
_INSERT_RUNS = text(
    """
    INSERT INTO sync_runs (id, org_id, integration_id, platform, data_type, trigger,
                           correlation_id, requested_by, status, attempt, requested_at)
    SELECT r.id, r.org_id, r.integration_id, r.platform, r.data_type, CAST(:trigger AS text),
           r.correlation_id, r.requested_by, CAST(:queued AS text), r.attempt, :now
    FROM unnest(CAST(:ids AS uuid[]), CAST(:org_ids AS uuid[]), CAST(:integration_ids AS uuid[]),
                CAST(:platforms AS text[]), CAST(:data_types AS text[]),
                CAST(:correlation_ids AS uuid[]), CAST(:requested_by AS text[]),
                CAST(:attempts AS int[]))
         AS r(id, org_id, integration_id, platform, data_type, correlation_id, requested_by,
              attempt)
    """
)
_MARK_DISPATCHED = text(
    """
    UPDATE backfill_windows w
    SET status = :dispatched, run_id = u.run_id, attempt = w.attempt + 1, dispatched_at = :now
    FROM unnest(CAST(:ids AS uuid[]), CAST(:run_ids AS uuid[])) AS u(id, run_id)
    WHERE w.id = u.id
    """
)


class SqlBackfillBatch(SqlUnitOfWork):
    """One transaction over claimed pending windows of one platform."""

    async def claim_pending(
        self, platform: Platform, now: datetime, per_integration: int, limit: int
    ) -> list[PendingWindow]:
        params = {
            "platform": platform.value,
            "now": now,
            "per_integration": per_integration,
            "limit": limit,
            "pending": WindowStatus.PENDING.value,
            "running": BackfillStatus.RUNNING.value,
            "active": IntegrationStatus.ACTIVE.value,
        }
        rows = (await self.session.execute(_CLAIM, params)).all()
        return [
            PendingWindow(
                id=row.id,
                backfill_id=row.backfill_id,
                org_id=row.org_id,
                integration_id=row.integration_id,
                platform=Platform(row.platform),
                data_type=DataType(row.data_type),
                window_start=row.window_start,
                window_end=row.window_end,
                attempt=row.attempt,
                correlation_id=row.correlation_id,
                requested_by=row.requested_by,
            )
            for row in rows
        ]

    async def in_flight(self, integration_ids: Sequence[UUID]) -> dict[UUID, int]:
        params = {"ids": list(set(integration_ids)), "dispatched": WindowStatus.DISPATCHED.value}
        rows = await self.session.execute(_IN_FLIGHT, params)
        return {row.integration_id: row.n for row in rows}

    async def dispatch(self, windows: Sequence[PendingWindow], now: datetime) -> int:
        """A run and a ``sync.requested`` per window; the windows become dispatched."""
        if not windows:
            return 0
        run_ids = [uuid4() for _ in windows]
        await self.session.execute(
            _INSERT_RUNS,
            {
                "now": now,
                "trigger": SyncTrigger.BACKFILL.value,
                "queued": RunStatus.QUEUED.value,
                "ids": run_ids,
                "org_ids": [w.org_id for w in windows],
                "integration_ids": [w.integration_id for w in windows],
                "platforms": [w.platform.value for w in windows],
                "data_types": [w.data_type.value for w in windows],
                "correlation_ids": [w.correlation_id for w in windows],
                "requested_by": [w.requested_by for w in windows],
                "attempts": [w.attempt + 1 for w in windows],
            },
        )
        await self.session.execute(
            _MARK_DISPATCHED,
            {
                "ids": [w.id for w in windows],
                "run_ids": run_ids,
                "now": now,
                "dispatched": WindowStatus.DISPATCHED.value,
            },
        )
        await self.publish(
            *[
                SyncRequested(
                    org_id=w.org_id,
                    correlation_id=w.correlation_id,
                    occurred_at=now,
                    run_id=run_id,
                    integration_id=w.integration_id,
                    platform=w.platform,
                    data_type=w.data_type,
                    trigger=SyncTrigger.BACKFILL,
                    attempt=w.attempt + 1,
                    window_start=w.window_start,
                    window_end=w.window_end,
                    requested_by=w.requested_by,
                )
                for w, run_id in zip(windows, run_ids, strict=True)
            ]
        )
        return len(windows)
