"""Manual sync requests: a queued ``sync_runs`` row and its ``SyncRequested`` in one unit of
work. The partial unique index ``uq_sync_runs_active`` allows one queued-or-running run per
(integration, data type); on conflict the existing run is returned instead of a duplicate."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import text

from cmis_dashboard_api.schemas.sync import TriggeredRun
from cmis_shared.events import DataType, Platform, SyncRequested, SyncTrigger
from cmis_shared.uow import UnitOfWork

_TARGETS = text(
    "SELECT id, platform FROM integrations WHERE org_id = :org AND status <> 'disconnected' "
    "AND (CAST(:integration AS uuid) IS NULL OR id = :integration) ORDER BY id"
)
_INSERT = text(
    """
    INSERT INTO sync_runs (id, org_id, integration_id, platform, data_type, trigger,
                           correlation_id, requested_by, status, attempt)
    VALUES (:id, :org, :integration, :platform, :data_type, 'manual', :correlation, :by,
            'queued', 1)
    ON CONFLICT (integration_id, data_type) WHERE status IN ('queued', 'running') DO NOTHING
    RETURNING id
    """
)
_ACTIVE = text(
    "SELECT id, status, correlation_id FROM sync_runs WHERE integration_id = :integration "
    "AND data_type = :data_type AND status IN ('queued', 'running')"
)


@dataclass(frozen=True)
class TriggerTarget:
    integration_id: UUID
    platform: str


async def trigger_targets(
    uow: UnitOfWork, org_id: UUID, integration_id: UUID | None
) -> list[TriggerTarget]:
    rows = await uow.session.execute(_TARGETS, {"org": org_id, "integration": integration_id})
    return [TriggerTarget(row.id, row.platform) for row in rows]


async def request_sync(
    uow: UnitOfWork, org_id: UUID, target: TriggerTarget, data_type: DataType, requested_by: str
) -> TriggeredRun:
    run_id, correlation_id = uuid.uuid4(), uuid.uuid4()
    inserted = (
        await uow.session.execute(
            _INSERT,
            {
                "id": run_id,
                "org": org_id,
                "integration": target.integration_id,
                "platform": target.platform,
                "data_type": data_type,
                "correlation": correlation_id,
                "by": requested_by,
            },
        )
    ).scalar()
    if inserted is None:
        params = {"integration": target.integration_id, "data_type": data_type}
        active = (await uow.session.execute(_ACTIVE, params)).first()
        if active is not None:
            return TriggeredRun(
                run_id=active.id,
                integration_id=target.integration_id,
                platform=target.platform,
                data_type=data_type,
                status=active.status,
                created=False,
                correlation_id=active.correlation_id,
            )
        # The active run finished between our insert and read: ours may go now.
        return await request_sync(uow, org_id, target, data_type, requested_by)
    await uow.publish(
        SyncRequested(
            org_id=org_id,
            correlation_id=correlation_id,
            run_id=run_id,
            integration_id=target.integration_id,
            platform=Platform(target.platform),
            data_type=data_type,
            trigger=SyncTrigger.MANUAL,
            attempt=1,
            requested_by=requested_by,
        )
    )
    return TriggeredRun(
        run_id=run_id,
        integration_id=target.integration_id,
        platform=target.platform,
        data_type=data_type,
        status="queued",
        created=True,
        correlation_id=correlation_id,
    )
