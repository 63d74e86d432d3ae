"""Stuck runs in ``sync_runs`` / ``sync_attempts``: finding active runs by how long their
current state has lasted, and ending one attempt as a timeout exactly the way the worker
finishes an attempt, so that of the two only the first to finish it emits an event.

The guard is the worker's (``cmis_sync_worker.adapters.runs._FINISH``): the attempt row of
(run, attempt) is inserted or updated ``WHERE finished_at IS NULL``, and the run changes only
if that statement finished the attempt. On top, the run row is locked first with
``FOR UPDATE SKIP LOCKED`` and re-checked (still this status and attempt): a run a worker is
starting or finishing right now is skipped and looked at again on the next sweep.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from cmis_scheduler.domain.retry import RetryDecision
from cmis_scheduler.domain.stuck import ActiveRun
from cmis_shared.events import DataType, ErrorClass, Platform, SyncTrigger
from cmis_shared.statuses import ACTIVE_RUN_STATUSES, RunStatus

# Spelled out (from the enum) rather than bound: it is the predicate of the partial index
# uq_sync_runs_active, which the planner can only use when it can see the values.
ACTIVE = "status IN ({})".format(", ".join(f"'{status.value}'" for status in ACTIVE_RUN_STATUSES))
# The index's whole predicate: backfill runs are outside it (they run beside the schedule).
UNIQUE_ACTIVE = f"{ACTIVE} AND trigger <> '{SyncTrigger.BACKFILL.value}'"

_ACTIVE_BEFORE = text(
    f"""
    SELECT * FROM (
        SELECT r.id, r.org_id, r.integration_id, r.platform, r.data_type, r.trigger,
               r.correlation_id, r.status, r.attempt,
               CASE WHEN r.status = :running THEN coalesce(r.started_at, r.requested_at)
                    ELSE coalesce(re.dispatched_at, r.requested_at) END AS since
        FROM sync_runs r
        LEFT JOIN retry_entries re ON re.run_id = r.id AND re.attempt = r.attempt
        WHERE r.{ACTIVE}
    ) active
    WHERE since < :before
    ORDER BY since
    LIMIT :limit
    """
)
# A re-queued retry keeps the run's requested_at: its queued time starts when its retry
# entry was dispatched.

TIME_OUT = text(
    """
    WITH run AS (
        SELECT id FROM sync_runs
        WHERE id = :run_id AND status = :status AND attempt = :attempt
        FOR UPDATE SKIP LOCKED
    ), attempt AS (
        INSERT INTO sync_attempts AS a (id, run_id, attempt, worker_id, started_at, finished_at,
                                        outcome, error_origin, error_class, error_message,
                                        retryable)
        SELECT gen_random_uuid(), run.id, :attempt, :worker_id, :since, :now,
               :outcome, :origin, :error_class, :message, true
        FROM run
        ON CONFLICT (run_id, attempt) DO UPDATE SET
            finished_at = EXCLUDED.finished_at, outcome = EXCLUDED.outcome,
            error_origin = EXCLUDED.error_origin, error_class = EXCLUDED.error_class,
            error_message = EXCLUDED.error_message, retryable = EXCLUDED.retryable
        WHERE a.finished_at IS NULL
        RETURNING a.run_id
    )
    UPDATE sync_runs SET status = :new_status, finished_at = :now,
                         next_attempt_at = :next_attempt_at,
                         error_class = :error_class, error_message = :message
    WHERE id IN (SELECT run_id FROM attempt)
    RETURNING id
    """
)
SWEEPER = "scheduler"  # sync_attempts.worker_id of an attempt the sweep ended before any worker
ORIGIN = "worker"  # our side gave up, not the platform (the worker's ErrorOrigin.WORKER)


def _active_run(row: Any) -> ActiveRun:
    return ActiveRun(
        run_id=row.id,
        org_id=row.org_id,
        integration_id=row.integration_id,
        platform=Platform(row.platform),
        data_type=DataType(row.data_type),
        trigger=SyncTrigger(row.trigger),
        correlation_id=row.correlation_id,
        status=RunStatus(row.status),
        attempt=row.attempt,
        since=row.since,
    )


class RunRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def active_before(self, before: datetime, limit: int) -> list[ActiveRun]:
        rows = await self._session.execute(
            _ACTIVE_BEFORE,
            {"before": before, "limit": limit, "running": RunStatus.RUNNING.value},
        )
        return [_active_run(row) for row in rows]

    async def time_out(
        self, run: ActiveRun, now: datetime, message: str, decision: RetryDecision
    ) -> bool:
        result = await self._session.execute(
            TIME_OUT,
            {
                "run_id": run.run_id,
                "status": run.status.value,
                "attempt": run.attempt,
                "worker_id": SWEEPER,
                "since": run.since,
                "now": now,
                "outcome": RunStatus.FAILED.value,
                "origin": ORIGIN,
                "error_class": ErrorClass.TIMEOUT.value,
                "message": message,
                "new_status": decision.run_status.value,
                "next_attempt_at": decision.next_attempt_at,
            },
        )
        return result.one_or_none() is not None
