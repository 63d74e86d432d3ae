"""Backfills in PostgreSQL: the request's integrations locked (two overlapping requests plan
one after the other, so the second sees the first's windows), the days live windows already
cover, the days with daily metrics, and the backfill with its windows written at once.
Cancelling marks the pending windows; windows already sent finish and are counted by the
scheduler."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from cmis_dashboard_api.domain.backfill import DayRange
from cmis_dashboard_api.ports import BackfillTarget, NewBackfill, NewWindow
from cmis_dashboard_api.schemas.backfills import BackfillOut
from cmis_shared.events import BackfillStatus
from cmis_shared.statuses import COVERING_WINDOW_STATUSES, IntegrationStatus, WindowStatus

_TARGETS = """
    SELECT id, platform FROM integrations
    WHERE org_id = :org AND status <> :disconnected
      AND (CAST(:ids AS uuid[]) IS NULL OR id = ANY(CAST(:ids AS uuid[])))
    ORDER BY id
"""
_COVERED = text(
    "SELECT integration_id, data_type, window_start, window_end FROM backfill_windows "
    "WHERE integration_id = ANY(:ids) AND data_type = ANY(:data_types) "
    "AND status = ANY(:covering)"
)
_DAYS_WITH_METRICS = text(
    "SELECT DISTINCT integration_id, day FROM daily_metrics "
    "WHERE integration_id = ANY(:ids) AND day BETWEEN :since AND :until"
)
_INSERT_BACKFILL = text(
    """
    INSERT INTO backfills (id, org_id, requested_by, requested_at, correlation_id, since, until,
                           integration_ids, data_types, only_gaps, status, windows_total,
                           finished_at)
    VALUES (:id, :org, :by, :now, :correlation, :since, :until, :integration_ids, :data_types,
            :only_gaps, :status, :total, :finished_at)
    """
)
_INSERT_WINDOWS = text(
    """
    INSERT INTO backfill_windows (id, backfill_id, org_id, integration_id, platform, data_type,
                                  window_start, window_end, status, not_before)
    SELECT gen_random_uuid(), :backfill, :org, w.integration_id, w.platform, w.data_type,
           w.window_start, w.window_end, :pending, :now
    FROM unnest(CAST(:integration_ids AS uuid[]), CAST(:platforms AS text[]),
                CAST(:data_types AS text[]), CAST(:starts AS date[]), CAST(:ends AS date[]))
         AS w(integration_id, platform, data_type, window_start, window_end)
    """
)
_COLUMNS = (
    "id, status, since, until, integration_ids, data_types, only_gaps, requested_by, "
    "requested_at, finished_at, windows_total, windows_done, windows_failed, "
    "windows_cancelled, rows_stored, correlation_id"
)
_LIST = text(
    f"SELECT {_COLUMNS} FROM backfills WHERE org_id = :org "
    "ORDER BY requested_at DESC, id LIMIT :limit"
)
_GET = text(f"SELECT {_COLUMNS} FROM backfills WHERE org_id = :org AND id = :id")
_LOCK = text(f"SELECT {_COLUMNS} FROM backfills WHERE org_id = :org AND id = :id FOR UPDATE")
_CANCEL_WINDOWS = text(
    "UPDATE backfill_windows SET status = :cancelled, finished_at = :now "
    "WHERE backfill_id = :id AND status = :pending"
)
_CANCEL = text(
    f"""
    UPDATE backfills SET status = :cancelled, finished_at = :now,
        windows_cancelled = windows_cancelled + :n
    WHERE id = :id
    RETURNING {_COLUMNS}
    """
)


def backfill_out(row: Any) -> BackfillOut:
    finished = row.windows_done + row.windows_failed + row.windows_cancelled
    return BackfillOut(
        id=row.id,
        status=BackfillStatus(row.status),
        since=row.since,
        until=row.until,
        integration_ids=list(row.integration_ids),
        data_types=list(row.data_types),
        only_gaps=row.only_gaps,
        requested_by=row.requested_by,
        requested_at=row.requested_at,
        finished_at=row.finished_at,
        windows_total=row.windows_total,
        windows_done=row.windows_done,
        windows_failed=row.windows_failed,
        windows_cancelled=row.windows_cancelled,
        windows_pending=max(row.windows_total - finished, 0),
        rows_stored=row.rows_stored,
    )


class SqlBackfills:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def targets(
        self, org_id: UUID, integration_ids: Sequence[UUID] | None, lock: bool
    ) -> list[BackfillTarget]:
        query = text(_TARGETS + (" FOR UPDATE" if lock else ""))
        params = {
            "org": org_id,
            "ids": list(integration_ids) if integration_ids is not None else None,
            "disconnected": IntegrationStatus.DISCONNECTED.value,
        }
        rows = await self._session.execute(query, params)
        return [BackfillTarget(row.id, row.platform) for row in rows]

    async def covered(
        self, integration_ids: Sequence[UUID], data_types: Sequence[str]
    ) -> dict[tuple[UUID, str], list[DayRange]]:
        params = {
            "ids": list(integration_ids),
            "data_types": list(data_types),
            "covering": [status.value for status in COVERING_WINDOW_STATUSES],
        }
        found: dict[tuple[UUID, str], list[DayRange]] = {}
        for row in await self._session.execute(_COVERED, params):
            key = (row.integration_id, row.data_type)
            found.setdefault(key, []).append(DayRange(row.window_start, row.window_end))
        return found

    async def days_with_metrics(
        self, integration_ids: Sequence[UUID], since: date, until: date
    ) -> dict[UUID, set[date]]:
        params = {"ids": list(integration_ids), "since": since, "until": until}
        found: dict[UUID, set[date]] = {}
        for row in await self._session.execute(_DAYS_WITH_METRICS, params):
            found.setdefault(row.integration_id, set()).add(row.day)
        return found

    async def create(
        self, backfill: NewBackfill, windows: Sequence[NewWindow], now: datetime
    ) -> BackfillOut:
        await self._session.execute(
            _INSERT_BACKFILL,
            {
                "id": backfill.id,
                "org": backfill.org_id,
                "by": backfill.requested_by,
                "now": now,
                "correlation": backfill.correlation_id,
                "since": backfill.since,
                "until": backfill.until,
                "integration_ids": list(backfill.integration_ids),
                "data_types": list(backfill.data_types),
                "only_gaps": backfill.only_gaps,
                "status": backfill.status.value,
                "total": len(windows),
                "finished_at": now if backfill.status.is_final else None,
            },
        )
        if windows:
            await self._session.execute(
                _INSERT_WINDOWS,
                {
                    "backfill": backfill.id,
                    "org": backfill.org_id,
                    "pending": WindowStatus.PENDING.value,
                    "now": now,
                    "integration_ids": [w.integration_id for w in windows],
                    "platforms": [w.platform.value for w in windows],
                    "data_types": [w.data_type for w in windows],
                    "starts": [w.span.start for w in windows],
                    "ends": [w.span.end for w in windows],
                },
            )
        row = (await self._session.execute(_GET, {"org": backfill.org_id, "id": backfill.id})).one()
        return backfill_out(row)

    async def list(self, org_id: UUID, limit: int) -> list[BackfillOut]:
        rows = await self._session.execute(_LIST, {"org": org_id, "limit": limit})
        return [backfill_out(row) for row in rows]

    async def get(self, org_id: UUID, backfill_id: UUID) -> BackfillOut | None:
        row = (await self._session.execute(_GET, {"org": org_id, "id": backfill_id})).first()
        return None if row is None else backfill_out(row)

    async def cancel(
        self, org_id: UUID, backfill_id: UUID, now: datetime
    ) -> tuple[BackfillOut, UUID, bool] | None:
        """The backfill after cancelling (its correlation id; True if this call cancelled
        it), or None if the org has no such backfill. A finished backfill stays as it is."""
        row = (await self._session.execute(_LOCK, {"org": org_id, "id": backfill_id})).first()
        if row is None:
            return None
        if BackfillStatus(row.status).is_final:
            return backfill_out(row), row.correlation_id, False
        result = await self._session.execute(
            _CANCEL_WINDOWS,
            {
                "id": backfill_id,
                "now": now,
                "cancelled": WindowStatus.CANCELLED.value,
                "pending": WindowStatus.PENDING.value,
            },
        )
        cancelled = result.rowcount  # type: ignore[attr-defined]
        params = {
            "id": backfill_id,
            "now": now,
            "n": cancelled,
            "cancelled": BackfillStatus.CANCELLED.value,
        }
        row = (await self._session.execute(_CANCEL, params)).one()
        return backfill_out(row), row.correlation_id, True
