"""The newest run of every sync lane (integration, data type) of an organization, and the
lane's last success: read by the dashboard view and by the sync status route.

Bounded by indexes, not by history: the lanes come from the org's integrations and the data
types, and each lane's newest run and newest success are one probe of
``ix_sync_runs_lane_requested_at`` and ``ix_sync_runs_lane_status_finished_at`` (migration
0005) however many runs the org has accumulated.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping, text
from sqlalchemy.ext.asyncio import AsyncSession

from cmis_shared.events import DataType
from cmis_shared.statuses import RunStatus

LATEST_RUNS = text(
    """
    SELECT r.id, r.integration_id, r.platform, r.data_type, r.trigger, r.status, r.attempt,
           r.requested_at, r.started_at, r.finished_at, r.next_attempt_at, r.error_class,
           r.error_message, s.finished_at AS last_success_at
    FROM integrations i
    CROSS JOIN unnest(CAST(:data_types AS text[])) AS d(data_type)
    JOIN LATERAL (
        SELECT * FROM sync_runs
        WHERE integration_id = i.id AND data_type = d.data_type
        ORDER BY requested_at DESC LIMIT 1
    ) r ON true
    LEFT JOIN LATERAL (
        SELECT finished_at FROM sync_runs
        WHERE integration_id = i.id AND data_type = d.data_type AND status = :success
        ORDER BY finished_at DESC NULLS LAST LIMIT 1
    ) s ON true
    WHERE i.org_id = :org AND (CAST(:integration AS uuid) IS NULL OR i.id = :integration)
    ORDER BY r.integration_id, r.data_type
    """
)


def latest_runs_params(org_id: UUID, integration_id: UUID | None = None) -> dict[str, Any]:
    return {
        "org": org_id,
        "integration": integration_id,
        "data_types": [data_type.value for data_type in DataType],
        "success": RunStatus.SUCCESS.value,
    }


async def latest_runs(
    session: AsyncSession, org_id: UUID, integration_id: UUID | None = None
) -> Sequence[RowMapping]:
    params = latest_runs_params(org_id, integration_id)
    return (await session.execute(LATEST_RUNS, params)).mappings().all()
