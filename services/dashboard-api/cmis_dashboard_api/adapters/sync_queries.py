"""Read side of the sync routes: per-integration status, recent runs, statistics."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from cmis_dashboard_api.adapters.latest_runs import latest_runs
from cmis_dashboard_api.domain.sync_status import (
    integration_status,
    latest,
    sync_status_of_run,
    sync_summary,
)
from cmis_dashboard_api.schemas.sync import (
    AttemptRow,
    DataTypeStatus,
    Freshness,
    IntegrationSyncStatus,
    LastError,
    OrgSyncStatus,
    RunRow,
    SyncStatistics,
)

RECENT_RUNS = 20

_INTEGRATIONS = text(
    "SELECT id, platform, account_id, account_name, status, status_reason, last_synced_at "
    "FROM integrations WHERE org_id = :org AND status <> 'disconnected' "
    "AND (CAST(:integration AS uuid) IS NULL OR id = :integration) ORDER BY platform, account_name"
)
_LAST_ERRORS = text(
    """
    SELECT DISTINCT ON (integration_id) integration_id, error_class, error_message,
           coalesce(finished_at, requested_at) AS at
    FROM sync_runs
    WHERE org_id = :org AND error_class IS NOT NULL
      AND (CAST(:integration AS uuid) IS NULL OR integration_id = :integration)
    ORDER BY integration_id, coalesce(finished_at, requested_at) DESC
    """
)
_SCHEDULE = text(
    "SELECT integration_id, data_type, next_due_at FROM schedule_entries "
    "WHERE org_id = :org AND enabled "
    "AND (CAST(:integration AS uuid) IS NULL OR integration_id = :integration)"
)
_RETRIES = text(
    "SELECT integration_id, data_type, min(due_at) AS due_at FROM retry_entries "
    "WHERE org_id = :org AND dispatched_at IS NULL "
    "AND (CAST(:integration AS uuid) IS NULL OR integration_id = :integration) "
    "GROUP BY integration_id, data_type"
)


async def org_sync_status(
    session: AsyncSession, org_id: UUID, integration_id: UUID | None = None
) -> OrgSyncStatus:
    params = {"org": org_id, "integration": integration_id}
    integrations = (await session.execute(_INTEGRATIONS, params)).mappings().all()
    runs: dict[UUID, list[Any]] = defaultdict(list)
    for run in await latest_runs(session, org_id, integration_id):
        runs[run["integration_id"]].append(run)
    errors = {
        row["integration_id"]: row
        for row in (await session.execute(_LAST_ERRORS, params)).mappings()
    }
    due = {
        (r["integration_id"], r["data_type"]): r["next_due_at"]
        for r in (await session.execute(_SCHEDULE, params)).mappings()
    }
    retries = {
        (r["integration_id"], r["data_type"]): r["due_at"]
        for r in (await session.execute(_RETRIES, params)).mappings()
    }
    rows = [
        _integration(row, runs[row["id"]], errors.get(row["id"]), due, retries)
        for row in integrations
    ]
    summary = sync_summary(
        {row.integration_id.hex: row.status for row in rows},
        latest(row.last_synced_at for row in rows),
    )
    return OrgSyncStatus(org_id=org_id, summary=summary, integrations=rows)  # type: ignore[arg-type]


def _integration(
    row: Any,
    runs: list[Any],
    error: Any,
    due: dict[tuple[UUID, str], datetime],
    retries: dict[tuple[UUID, str], datetime],
) -> IntegrationSyncStatus:
    integration_id = row["id"]
    data_types = {run["data_type"] for run in runs} | {dt for (i, dt) in due if i == integration_id}
    by_type = {run["data_type"]: run for run in runs}
    lanes = [
        _lane(dt, by_type.get(dt), due.get((integration_id, dt)), retries.get((integration_id, dt)))
        for dt in sorted(data_types)
    ]
    newest = max(runs, key=lambda run: run["requested_at"], default=None)
    retry_at = latest(lane.next_retry_at for lane in lanes)
    return IntegrationSyncStatus(
        integration_id=integration_id,
        platform=row["platform"],
        account_id=row["account_id"],
        account_name=row["account_name"],
        connection_status=row["status"],
        status_reason=row["status_reason"],
        status=integration_status(lane.status for lane in lanes if lane.run_id is not None),
        last_synced_at=row["last_synced_at"],
        last_error=LastError(
            error_class=error["error_class"], message=error["error_message"], at=error["at"]
        )
        if error
        else None,
        attempt=newest["attempt"] if newest else None,
        will_retry=any(lane.will_retry for lane in lanes),
        next_retry_at=retry_at,
        next_scheduled_sync=min(
            (lane.next_scheduled_at for lane in lanes if lane.next_scheduled_at), default=None
        ),
        data_types=lanes,
    )


def _lane(
    data_type: str, run: Any, next_due: datetime | None, retry_due: datetime | None
) -> DataTypeStatus:
    retrying = run is not None and run["status"] == "retrying"
    return DataTypeStatus(
        data_type=data_type,
        status=sync_status_of_run(run["status"] if run else None),
        run_id=run["id"] if run else None,
        trigger=run["trigger"] if run else None,
        attempt=run["attempt"] if run else None,
        requested_at=run["requested_at"] if run else None,
        started_at=run["started_at"] if run else None,
        finished_at=run["finished_at"] if run else None,
        will_retry=retrying or retry_due is not None,
        next_retry_at=retry_due or (run["next_attempt_at"] if retrying else None),
        next_scheduled_at=next_due,
    )


_RECENT_RUNS = text(
    "SELECT id, data_type, trigger, status, attempt, requested_by, requested_at, started_at, "
    "finished_at, next_attempt_at, error_class, error_message, counts FROM sync_runs "
    "WHERE integration_id = :integration ORDER BY requested_at DESC LIMIT :limit"
)
_ATTEMPTS = text(
    "SELECT run_id, attempt, worker_id, started_at, finished_at, outcome, error_class, "
    "error_message, retryable FROM sync_attempts WHERE run_id = ANY(:runs) ORDER BY attempt"
)


async def recent_runs(session: AsyncSession, integration_id: UUID) -> list[RunRow]:
    params = {"integration": integration_id, "limit": RECENT_RUNS}
    runs = (await session.execute(_RECENT_RUNS, params)).mappings().all()
    attempts: dict[UUID, list[AttemptRow]] = defaultdict(list)
    if runs:
        ids = [run["id"] for run in runs]
        for row in (await session.execute(_ATTEMPTS, {"runs": ids})).mappings():
            attempts[row["run_id"]].append(
                AttemptRow(**{k: v for k, v in row.items() if k != "run_id"})
            )
    return [
        RunRow(
            run_id=run["id"],
            attempts=attempts[run["id"]],
            **{k: v for k, v in run.items() if k != "id"},
        )
        for run in runs
    ]


_OUTCOMES = text(
    "SELECT status, count(*) AS n FROM sync_runs "
    "WHERE org_id = :org AND requested_at >= :since GROUP BY status"
)
_DURATIONS = text(
    """
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY ms) AS p95
    FROM (SELECT extract(epoch FROM finished_at - started_at) * 1000 AS ms FROM sync_runs
          WHERE org_id = :org AND requested_at >= :since AND status IN ('success', 'failed')
            AND started_at IS NOT NULL AND finished_at IS NOT NULL) d
    """
)
_FAILURES = text(
    """
    SELECT coalesce(a.error_class, 'unknown') AS error_class, r.platform, count(*) AS n
    FROM sync_attempts a JOIN sync_runs r ON r.id = a.run_id
    WHERE r.org_id = :org AND a.started_at >= :since AND a.outcome = 'failed'
    GROUP BY 1, 2
    """
)
_FRESHNESS = text(
    "SELECT id, platform, account_name, last_synced_at FROM integrations "
    "WHERE org_id = :org AND status <> 'disconnected' ORDER BY platform, account_name"
)


async def sync_statistics(
    session: AsyncSession, org_id: UUID, now: datetime, period_days: int
) -> SyncStatistics:
    since = now - timedelta(days=period_days)
    params = {"org": org_id, "since": since}
    outcomes = {row.status: row.n for row in await session.execute(_OUTCOMES, params)}
    durations = (await session.execute(_DURATIONS, params)).one()
    by_class: dict[str, int] = defaultdict(int)
    by_platform: dict[str, int] = defaultdict(int)
    for row in await session.execute(_FAILURES, params):
        by_class[row.error_class] += row.n
        by_platform[row.platform] += row.n
    finished = outcomes.get("success", 0) + outcomes.get("failed", 0)
    freshness = [
        Freshness(
            integration_id=row.id,
            platform=row.platform,
            account_name=row.account_name,
            last_synced_at=row.last_synced_at,
            age_seconds=(now - row.last_synced_at).total_seconds() if row.last_synced_at else None,
        )
        for row in await session.execute(_FRESHNESS, params)
    ]
    return SyncStatistics(
        org_id=org_id,
        period_days=period_days,
        since=since,
        runs_by_outcome=outcomes,
        success_rate=outcomes.get("success", 0) / finished if finished else None,
        duration_p50_ms=durations.p50,
        duration_p95_ms=durations.p95,
        failures_by_error_class=dict(by_class),
        failures_by_platform=dict(by_platform),
        freshness=freshness,
    )
