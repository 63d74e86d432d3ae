"""Reading an integration row as the facts an ``integration.updated`` event carries, and
changing the columns the scheduler owns (status when pausing, failure counters)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from cmis_shared.events import IntegrationUpdated

_FACTS = (
    "id, org_id, platform, account_id, account_name, status, status_reason, currency, "
    "timezone, token_expires_at, refreshable, consecutive_failures, first_failure_at"
)


def updated_event(
    row: Any, now: datetime, correlation_id: UUID | None = None
) -> IntegrationUpdated:
    return IntegrationUpdated(
        org_id=row.org_id,
        correlation_id=correlation_id or uuid4(),
        occurred_at=now,
        integration_id=row.id,
        platform=row.platform,
        account_id=row.account_id,
        account_name=row.account_name,
        status=row.status,
        status_reason=row.status_reason,
        currency=row.currency,
        timezone=row.timezone,
        token_expires_at=row.token_expires_at,
        refreshable=row.refreshable,
    )


async def mark_token_expired(session: AsyncSession, integration_ids: Sequence[UUID]) -> list[Any]:
    """Set the reason once; returns only the rows that changed (so the event goes out once)."""
    result = await session.execute(
        text(
            f"UPDATE integrations SET status_reason = 'token_expired', updated_at = now() "
            f"WHERE id = ANY(:ids) AND status_reason IS DISTINCT FROM 'token_expired' "
            f"RETURNING {_FACTS}"
        ),
        {"ids": list(integration_ids)},
    )
    return list(result.all())


async def record_final_failure(session: AsyncSession, integration_id: UUID, at: datetime) -> Any:
    """Count one more final failure, unless a success newer than it is already recorded."""
    result = await session.execute(
        text(
            f"UPDATE integrations SET consecutive_failures = consecutive_failures + 1, "
            f"first_failure_at = COALESCE(first_failure_at, :at) "
            f"WHERE id = :id AND (last_synced_at IS NULL OR last_synced_at < :at) "
            f"RETURNING {_FACTS}"
        ),
        {"id": integration_id, "at": at},
    )
    return result.one_or_none()


async def reset_failures(session: AsyncSession, integration_id: UUID, at: datetime) -> Any:
    """A success clears the failure streak (unless the streak began after that success)."""
    result = await session.execute(
        text(
            f"UPDATE integrations SET consecutive_failures = 0, first_failure_at = NULL "
            f"WHERE id = :id AND (first_failure_at IS NULL OR first_failure_at <= :at) "
            f"RETURNING {_FACTS}"
        ),
        {"id": integration_id, "at": at},
    )
    return result.one_or_none()


async def set_status(
    session: AsyncSession, integration_id: UUID, status: str, reason: str | None
) -> Any:
    result = await session.execute(
        text(
            f"UPDATE integrations SET status = :status, status_reason = :reason, "
            f"updated_at = now() WHERE id = :id RETURNING {_FACTS}"
        ),
        {"id": integration_id, "status": status, "reason": reason},
    )
    return result.one()


async def clear_token_expired(session: AsyncSession, integration_id: UUID, now: datetime) -> None:
    """A renewed token lifts the "reported once" mark, so a later expiry is reported again."""
    await session.execute(
        text(
            "UPDATE integrations SET status_reason = NULL WHERE id = :id "
            "AND status_reason = 'token_expired' "
            "AND (token_expires_at IS NULL OR token_expires_at > :now OR refreshable)"
        ),
        {"id": integration_id, "now": now},
    )
