"""Durable retries in PostgreSQL: ``retry_entries`` rows written from ``sync.failed`` and,
when due, claimed with ``FOR UPDATE SKIP LOCKED`` and turned back into a queued run plus its
``sync.requested`` (outbox) in one transaction. Everything lives in the database, so a
retry survives restarts of the scheduler, the broker and the database itself."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from cmis_scheduler.domain.retry import DueRetry
from cmis_shared.events import DataType, Platform, SyncFailed, SyncRequested, SyncTrigger
from cmis_shared.statuses import RunStatus
from cmis_shared.uow import UnitOfWork

_CLAIM = text(
    """
    SELECT r.id, r.run_id, r.org_id, r.integration_id, r.platform, r.data_type, r.attempt,
           r.correlation_id, s.status AS run_status, s.attempt AS run_attempt
    FROM retry_entries r JOIN sync_runs s ON s.id = r.run_id
    WHERE r.dispatched_at IS NULL AND r.due_at <= :now
    ORDER BY r.due_at, r.id
    LIMIT :limit
    FOR UPDATE OF r SKIP LOCKED
    """
)
_REQUEUE_RUN = text(
    "UPDATE sync_runs SET status = :queued, attempt = :attempt, next_attempt_at = NULL "
    "WHERE id = :run_id AND status = :retrying AND attempt < :attempt"
)
_MARK = text("UPDATE retry_entries SET dispatched_at = :now WHERE id = :id")
_DEFER = text("UPDATE retry_entries SET due_at = :until WHERE id = :id")
_ADD = text(
    """
    INSERT INTO retry_entries (id, run_id, org_id, integration_id, platform, data_type,
                               attempt, correlation_id, due_at)
    VALUES (gen_random_uuid(), :run_id, :org_id, :integration_id, :platform, :data_type,
            :attempt, :correlation_id, :due_at)
    ON CONFLICT (run_id, attempt) DO NOTHING
    """
)


class RetryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, failed: SyncFailed, due_at: datetime) -> None:
        """The next attempt of a failed run, due at ``due_at`` (idempotent per run and attempt)."""
        await self._session.execute(
            _ADD,
            {
                "run_id": failed.run_id,
                "org_id": failed.org_id,
                "integration_id": failed.integration_id,
                "platform": failed.platform.value,
                "data_type": failed.data_type.value,
                "attempt": failed.attempt + 1,
                "correlation_id": failed.correlation_id,
                "due_at": due_at,
            },
        )


class SqlRetryBatch(UnitOfWork):
    """A unit of work (one transaction, outbox included) over claimed retry entries."""

    async def claim_due(self, now: datetime, limit: int) -> list[DueRetry]:
        rows = (await self.session.execute(_CLAIM, {"now": now, "limit": limit})).all()
        return [
            DueRetry(
                id=row.id,
                run_id=row.run_id,
                org_id=row.org_id,
                integration_id=row.integration_id,
                platform=Platform(row.platform),
                data_type=DataType(row.data_type),
                attempt=row.attempt,
                correlation_id=row.correlation_id,
                run_status=row.run_status,
                run_attempt=row.run_attempt,
            )
            for row in rows
        ]

    async def requeue(self, retry: DueRetry, now: datetime) -> bool:
        """Run back to queued + the retry's request. False when another run of the same
        integration and data type is queued or running (the active-run index)."""
        try:
            async with self.session.begin_nested():
                result = await self.session.execute(
                    _REQUEUE_RUN,
                    {
                        "run_id": retry.run_id,
                        "attempt": retry.attempt,
                        "queued": RunStatus.QUEUED.value,
                        "retrying": RunStatus.RETRYING.value,
                    },
                )
        except IntegrityError:
            return False
        await self.session.execute(_MARK, {"id": retry.id, "now": now})
        if result.rowcount == 1:  # type: ignore[attr-defined]
            await self.publish(_request(retry, now))
        return True

    async def mark_stale(self, retry: DueRetry, now: datetime) -> None:
        await self.session.execute(_MARK, {"id": retry.id, "now": now})

    async def defer(self, retry: DueRetry, until: datetime) -> None:
        await self.session.execute(_DEFER, {"id": retry.id, "until": until})


def _request(retry: DueRetry, now: datetime) -> SyncRequested:
    return SyncRequested(
        org_id=retry.org_id,
        correlation_id=retry.correlation_id,
        occurred_at=now,
        run_id=retry.run_id,
        integration_id=retry.integration_id,
        platform=retry.platform,
        data_type=retry.data_type,
        trigger=SyncTrigger.RETRY,
        attempt=retry.attempt,
    )
