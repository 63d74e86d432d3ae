"""Backfill outcomes in PostgreSQL: the window of a finished run, locked with its backfill
(two outcomes of one backfill count one after the other), and the counts written back.
Dispatching windows is :mod:`cmis_scheduler.adapters.backfill_dispatch`."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from cmis_scheduler.domain.backfill import BackfillCounts, Progress, WindowOfRun
from cmis_shared.events import BackfillStatus, DataType
from cmis_shared.statuses import RunStatus, WindowStatus

_WINDOW_OF_RUN = text(
    "SELECT id, backfill_id, data_type, status FROM backfill_windows WHERE run_id = :run_id "
    "FOR UPDATE"
)
_BACKFILL = text(
    "SELECT id, org_id, correlation_id, status, windows_total, windows_done, windows_failed, "
    "windows_cancelled, rows_stored FROM backfills WHERE id = :id FOR UPDATE"
)
_WITH_PENDING = text(
    "SELECT DISTINCT backfill_id FROM backfill_windows "
    "WHERE integration_id = :id AND status = :pending ORDER BY backfill_id"
)
_CANCEL_PENDING = text(
    "UPDATE backfill_windows SET status = :cancelled, finished_at = :now "
    "WHERE integration_id = :id AND backfill_id = :backfill AND status = :pending"
)
_FINISH_WINDOW = text(
    "UPDATE backfill_windows SET status = :status, rows_stored = :rows, finished_at = :now "
    "WHERE id = :id"
)
_RETRY_WINDOW = text(
    "UPDATE backfill_windows SET status = :pending, not_before = :at, run_id = NULL WHERE id = :id"
)
# The worker left the failed run "retrying"; its next attempt is a new run of the window.
_CLOSE_RUN = text(
    "UPDATE sync_runs SET status = :failed, next_attempt_at = NULL "
    "WHERE id = :id AND status = :retrying"
)
_SAVE = text(
    """
    UPDATE backfills SET status = :status, windows_done = :done, windows_failed = :failed,
        windows_cancelled = :cancelled, rows_stored = :rows,
        finished_at = CASE WHEN :final THEN CAST(:now AS timestamptz) ELSE finished_at END
    WHERE id = :id
    """
)


class BackfillRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def of_run(self, run_id: UUID) -> WindowOfRun | None:
        row = (await self._session.execute(_WINDOW_OF_RUN, {"run_id": run_id})).first()
        if row is None:
            return None
        backfill = _counts((await self._session.execute(_BACKFILL, {"id": row.backfill_id})).one())
        return WindowOfRun(
            window_id=row.id,
            window_status=WindowStatus(row.status),
            data_type=DataType(row.data_type),
            backfill_id=backfill.backfill_id,
            org_id=backfill.org_id,
            correlation_id=backfill.correlation_id,
            progress=backfill.progress,
        )

    async def cancel_pending(
        self, integration_id: UUID, now: datetime
    ) -> list[tuple[BackfillCounts, int]]:
        """Cancel the integration's pending windows; per backfill touched (locked first, in
        id order, as the API's cancel locks them) its counts before and the windows
        cancelled."""
        params = {"id": integration_id, "pending": WindowStatus.PENDING.value}
        ids = (await self._session.execute(_WITH_PENDING, params)).scalars().all()
        touched = []
        for backfill_id in ids:
            row = (await self._session.execute(_BACKFILL, {"id": backfill_id})).one()
            result = await self._session.execute(
                _CANCEL_PENDING,
                {**params, "backfill": backfill_id, "now": now,
                 "cancelled": WindowStatus.CANCELLED.value},
            )  # fmt: skip
            cancelled = result.rowcount  # type: ignore[attr-defined]
            if cancelled:
                touched.append((_counts(row), cancelled))
        return touched

    async def finish_window(
        self, window_id: UUID, status: WindowStatus, rows: int, now: datetime
    ) -> None:
        params = {"id": window_id, "status": status.value, "rows": rows, "now": now}
        await self._session.execute(_FINISH_WINDOW, params)

    async def retry_window(self, window_id: UUID, run_id: UUID, at: datetime) -> None:
        await self._session.execute(
            _RETRY_WINDOW, {"id": window_id, "at": at, "pending": WindowStatus.PENDING.value}
        )
        await self._session.execute(
            _CLOSE_RUN,
            {"id": run_id, "failed": RunStatus.FAILED.value, "retrying": RunStatus.RETRYING.value},
        )

    async def save(self, backfill_id: UUID, progress: Progress, now: datetime) -> None:
        await self._session.execute(
            _SAVE,
            {
                "id": backfill_id,
                "status": progress.status.value,
                "done": progress.windows_done,
                "failed": progress.windows_failed,
                "cancelled": progress.windows_cancelled,
                "rows": progress.rows_stored,
                "final": progress.status.is_final,
                "now": now,
            },
        )


def _counts(row: Any) -> BackfillCounts:
    return BackfillCounts(
        backfill_id=row.id,
        org_id=row.org_id,
        correlation_id=row.correlation_id,
        progress=Progress(
            status=BackfillStatus(row.status),
            windows_total=row.windows_total,
            windows_done=row.windows_done,
            windows_failed=row.windows_failed,
            windows_cancelled=row.windows_cancelled,
            rows_stored=row.rows_stored,
        ),
    )
