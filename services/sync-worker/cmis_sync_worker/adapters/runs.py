"""``sync_runs`` and ``sync_attempts``: the worker's record of every attempt.

Finishing is guarded: an attempt is finished once (``WHERE finished_at IS NULL``), and the
run is updated only in the statement that finished it, so two deliveries of one request
that race to the end produce one outcome.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg
import orjson

from cmis_shared.events import SyncStarted
from cmis_shared.inbox_outbox import claim_event_sql, outbox_rows
from cmis_sync_worker.adapters.integrations import INTEGRATION_COLUMNS, integration_record
from cmis_sync_worker.domain.integration import IntegrationRecord
from cmis_sync_worker.domain.runs import FinishedAttempt, RunSnapshot, RunStatus

_SNAPSHOT = """
SELECT r.status, r.attempt, a.id IS NOT NULL AS recorded, a.finished_at IS NOT NULL AS finished
FROM sync_runs r
LEFT JOIN sync_attempts a ON a.run_id = r.id AND a.attempt = $2
WHERE r.id = $1
FOR UPDATE OF r
"""

_SNAPSHOT_WITH_INTEGRATION = f"""
WITH run AS MATERIALIZED ({_SNAPSHOT})
SELECT run.status AS run_status, run.attempt AS run_attempt, run.recorded, run.finished,
       {INTEGRATION_COLUMNS}
FROM (VALUES (1)) AS one (n)
LEFT JOIN run ON true
LEFT JOIN integrations i ON i.id = $3
"""
# The snapshot and the integration to sync in one round trip. The run is still locked (a
# MATERIALIZED CTE is read whole); the integration is read as of the statement's start, as
# any unlocked read is: a begin transaction that held the run lock meanwhile did not write it.

_START = """
WITH run AS (
    UPDATE sync_runs SET status = $5, attempt = $2, started_at = $4, finished_at = NULL,
                         next_attempt_at = NULL, error_class = NULL, error_message = NULL
    WHERE id = $1
), attempt AS (
    INSERT INTO sync_attempts (id, run_id, attempt, worker_id, started_at)
    VALUES (gen_random_uuid(), $1, $2, $3, $4)
    ON CONFLICT (run_id, attempt) DO NOTHING
    RETURNING id
), announced AS (
    INSERT INTO outbox (id, routing_key, payload, headers, correlation_id, priority)
    SELECT $6, $7, $8, CAST($9 AS jsonb), $10, $11 FROM attempt
)
SELECT id FROM attempt
"""
# One round trip: the run running, the attempt recorded once, and its sync.started staged in
# the outbox (the row of :func:`cmis_shared.inbox_outbox.outbox_rows`) only if this statement
# recorded it.

_FINISH = f"""
WITH claim AS ({claim_event_sql("$14", "$15")}
), attempt AS (
    INSERT INTO sync_attempts AS a (id, run_id, attempt, worker_id, started_at, finished_at,
                                    outcome, error_origin, error_class, error_message, retryable)
    SELECT gen_random_uuid(), $1::uuid, $2::int, $3::text, $4::timestamptz, $5::timestamptz,
           $6::text, $7::text, $8::text, $9::text, $10::bool
    FROM claim
    ON CONFLICT (run_id, attempt) DO UPDATE SET
        worker_id = EXCLUDED.worker_id, finished_at = EXCLUDED.finished_at,
        outcome = EXCLUDED.outcome, error_origin = EXCLUDED.error_origin,
        error_class = EXCLUDED.error_class, error_message = EXCLUDED.error_message,
        retryable = EXCLUDED.retryable
    WHERE a.finished_at IS NULL
    RETURNING a.run_id
), run AS (
    UPDATE sync_runs SET status = $11, attempt = $2, finished_at = $5, next_attempt_at = $12,
                         error_class = $8, error_message = $9, counts = $13::jsonb,
                         started_at = coalesce(started_at, $4)
    WHERE id IN (SELECT run_id FROM attempt)
), synced AS (
    UPDATE integrations SET last_synced_at = greatest(coalesce(last_synced_at, $5), $5)
    WHERE id = $16::uuid AND EXISTS (SELECT 1 FROM attempt)
)
SELECT count(*) FROM attempt
"""
# One statement, one round trip: the inbox claim of the request, the attempt finished once,
# its run, and on success the integration's last sync time.


class RunRepository:
    def __init__(self, connection: asyncpg.Connection, worker_id: str) -> None:
        self._connection = connection
        self._worker_id = worker_id

    async def snapshot(self, run_id: UUID, attempt: int) -> RunSnapshot | None:
        """The run (locked for this transaction) and the state of the requested attempt."""
        row = await self._connection.fetchrow(_SNAPSHOT, run_id, attempt)
        if row is None:
            return None
        return RunSnapshot(
            RunStatus(row["status"]), row["attempt"], row["recorded"], row["finished"]
        )

    async def snapshot_with_integration(
        self, run_id: UUID, attempt: int, integration_id: UUID
    ) -> tuple[RunSnapshot | None, IntegrationRecord | None]:
        """:meth:`snapshot` and the integration's record, in one statement."""
        row = await self._connection.fetchrow(
            _SNAPSHOT_WITH_INTEGRATION, run_id, attempt, integration_id
        )
        assert row is not None  # one row, whatever exists
        snapshot = (
            None
            if row["run_status"] is None
            else RunSnapshot(
                RunStatus(row["run_status"]), row["run_attempt"], row["recorded"], row["finished"]
            )
        )
        return snapshot, integration_record(row)

    async def start(
        self, run_id: UUID, attempt: int, started_at: datetime, announce: SyncStarted
    ) -> bool:
        """Record the attempt and stage ``announce``; False (nothing staged) when a concurrent
        delivery recorded it first (the snapshot's join is read before the run lock was
        granted, so it can miss that)."""
        (row,) = outbox_rows([announce])
        inserted = await self._connection.fetchval(
            _START, run_id, attempt, self._worker_id, started_at, RunStatus.RUNNING.value, *row
        )
        return inserted is not None

    async def finish(self, outcome: FinishedAttempt) -> bool:
        failure = outcome.failure
        finished = await self._connection.fetchval(
            _FINISH,
            outcome.run_id,
            outcome.attempt,
            self._worker_id,
            outcome.started_at,
            outcome.finished_at,
            "success" if failure is None else "failed",
            failure.origin.value if failure else None,
            failure.error_class.value if failure else None,
            failure.message if failure else None,
            failure.retryable if failure else None,
            outcome.status.value,
            outcome.next_attempt_at,
            orjson.dumps(dict(outcome.counts)).decode(),
            outcome.request.consumer,
            outcome.request.event_id,
            outcome.synced_integration_id,
        )
        return bool(finished)
