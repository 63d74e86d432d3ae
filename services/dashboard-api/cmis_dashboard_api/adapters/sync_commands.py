"""Manual sync requests in PostgreSQL. The partial unique index ``uq_sync_runs_active``
allows one queued-or-running run per (integration, data type), backfill windows aside: an
insert that meets it does nothing, and the caller reads the active run instead. The conflict
target repeats the index's predicate as literals because PostgreSQL infers the index from
that text."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from cmis_dashboard_api.ports import ActiveRun, NewRun, TriggerTarget
from cmis_shared.events import DataType, SyncTrigger
from cmis_shared.statuses import IntegrationStatus, RunStatus

_TARGETS = text(
    "SELECT id, platform FROM integrations WHERE org_id = :org AND status <> :disconnected "
    "AND (CAST(:integration AS uuid) IS NULL OR id = :integration) ORDER BY id"
)
_INSERT = text(
    """
    INSERT INTO sync_runs (id, org_id, integration_id, platform, data_type, trigger,
                           correlation_id, requested_by, status, attempt)
    VALUES (:id, :org, :integration, :platform, :data_type, :manual, :correlation, :by,
            :queued, 1)
    ON CONFLICT (integration_id, data_type)
        WHERE status IN ('queued', 'running') AND trigger <> 'backfill' DO NOTHING
    RETURNING id
    """
)
_ACTIVE = text(
    "SELECT id, status, trigger, attempt, correlation_id FROM sync_runs "
    "WHERE integration_id = :integration AND data_type = :data_type "
    "AND status IN (:queued, :running) AND trigger <> :backfill"
)
_MARK_MANUAL = text(
    "UPDATE sync_runs SET trigger = :manual, requested_by = :by "
    "WHERE id = :id AND status = :queued RETURNING id"
)


class SqlRuns:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def targets(self, org_id: UUID, integration_id: UUID | None) -> list[TriggerTarget]:
        params = {
            "org": org_id,
            "integration": integration_id,
            "disconnected": IntegrationStatus.DISCONNECTED,
        }
        rows = await self._session.execute(_TARGETS, params)
        return [TriggerTarget(row.id, row.platform) for row in rows]

    async def insert_manual(self, run: NewRun) -> bool:
        params = {
            "id": run.run_id,
            "org": run.org_id,
            "integration": run.target.integration_id,
            "platform": run.target.platform,
            "data_type": run.data_type,
            "correlation": run.correlation_id,
            "by": run.requested_by,
            "manual": SyncTrigger.MANUAL,
            "queued": RunStatus.QUEUED,
        }
        return (await self._session.execute(_INSERT, params)).scalar() is not None

    async def active(self, integration_id: UUID, data_type: DataType) -> ActiveRun | None:
        params = {
            "integration": integration_id,
            "data_type": data_type,
            "queued": RunStatus.QUEUED,
            "running": RunStatus.RUNNING,
            "backfill": SyncTrigger.BACKFILL,
        }
        row = (await self._session.execute(_ACTIVE, params)).first()
        if row is None:
            return None
        return ActiveRun(
            row.id, RunStatus(row.status), SyncTrigger(row.trigger), row.attempt, row.correlation_id
        )

    async def mark_manual(self, run_id: UUID, requested_by: str) -> bool:
        params = {
            "id": run_id,
            "by": requested_by,
            "manual": SyncTrigger.MANUAL,
            "queued": RunStatus.QUEUED,
        }
        return (await self._session.execute(_MARK_MANUAL, params)).scalar() is not None
