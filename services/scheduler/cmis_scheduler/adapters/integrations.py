"""The ``integrations`` columns the scheduler changes: status when pausing or resuming, the
failure counters, and the one-time token-expired report. Rows come back as
:class:`IntegrationRecord`, the facts an ``integration.updated`` carries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from cmis_scheduler.domain.dispatch import TOKEN_EXPIRED
from cmis_scheduler.domain.integrations import IntegrationRecord
from cmis_shared.events import IntegrationStatus, Platform

_FACTS = (
    "id, org_id, platform, account_id, account_name, status, status_reason, currency, "
    "timezone, token_expires_at, refreshable, consecutive_failures, first_failure_at"
)
_MARK_TOKEN_EXPIRED = text(
    f"UPDATE integrations SET status_reason = :reason, updated_at = now() "
    f"WHERE id = ANY(:ids) AND status_reason IS DISTINCT FROM :reason RETURNING {_FACTS}"
)
_RECORD_FINAL_FAILURE = text(
    f"UPDATE integrations SET consecutive_failures = consecutive_failures + 1, "
    f"first_failure_at = COALESCE(first_failure_at, :at) "
    f"WHERE id = :id AND (last_synced_at IS NULL OR last_synced_at < :at) RETURNING {_FACTS}"
)
_RESET_FAILURES = text(
    f"UPDATE integrations SET consecutive_failures = 0, first_failure_at = NULL "
    f"WHERE id = :id AND (first_failure_at IS NULL OR first_failure_at <= :at) RETURNING {_FACTS}"
)
_SET_STATUS = text(
    f"UPDATE integrations SET status = :status, status_reason = :reason, updated_at = now() "
    f"WHERE id = :id RETURNING {_FACTS}"
)
_CLEAR_TOKEN_EXPIRED = text(
    "UPDATE integrations SET status_reason = NULL WHERE id = :id AND status_reason = :reason "
    "AND (token_expires_at IS NULL OR token_expires_at > :now OR refreshable)"
)


def _record(row: Any) -> IntegrationRecord:
    values = dict(row._mapping)
    values["platform"] = Platform(values["platform"])
    values["status"] = IntegrationStatus(values["status"])
    return IntegrationRecord(**values)


class IntegrationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def mark_token_expired(self, integration_ids: Sequence[UUID]) -> list[IntegrationRecord]:
        """Set the reason once; returns only the rows that changed (so the event goes out once)."""
        result = await self._session.execute(
            _MARK_TOKEN_EXPIRED, {"ids": list(integration_ids), "reason": TOKEN_EXPIRED}
        )
        return [_record(row) for row in result]

    async def record_final_failure(
        self, integration_id: UUID, at: datetime
    ) -> IntegrationRecord | None:
        """Count one more final failure, unless a success newer than it is already recorded."""
        result = await self._session.execute(
            _RECORD_FINAL_FAILURE, {"id": integration_id, "at": at}
        )
        row = result.one_or_none()
        return None if row is None else _record(row)

    async def reset_failures(self, integration_id: UUID, at: datetime) -> IntegrationRecord | None:
        """A success clears the failure streak (unless the streak began after that success)."""
        result = await self._session.execute(_RESET_FAILURES, {"id": integration_id, "at": at})
        row = result.one_or_none()
        return None if row is None else _record(row)

    async def set_status(
        self, integration_id: UUID, status: IntegrationStatus, reason: str | None
    ) -> IntegrationRecord:
        result = await self._session.execute(
            _SET_STATUS, {"id": integration_id, "status": status.value, "reason": reason}
        )
        return _record(result.one())

    async def clear_token_expired(self, integration_id: UUID, now: datetime) -> None:
        """A renewed token lifts the "reported once" mark, so a later expiry is reported again."""
        await self._session.execute(
            _CLEAR_TOKEN_EXPIRED, {"id": integration_id, "now": now, "reason": TOKEN_EXPIRED}
        )
