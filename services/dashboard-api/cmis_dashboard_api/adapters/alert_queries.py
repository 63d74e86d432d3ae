"""Read side of the alert routes (alerting writes these tables; the API only reads them):
an organization's alerts, newest first, and one alert's history, oldest first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from cmis_dashboard_api.adapters.chart_queries import rows_of
from cmis_dashboard_api.domain.cursor import Cursor

_COLUMNS = (
    "id, alert_type, severity, status, message, subject_type, subject_id, occurrences, "
    "details, first_seen_at, last_seen_at, resolved_at, acknowledged_at, acknowledged_by, "
    "snoozed_until"
)
_ALERTS = f"""
SELECT {_COLUMNS} FROM alerts
WHERE org_id = :org AND status = :status {{filters}}
ORDER BY last_seen_at DESC, id DESC
LIMIT :limit
"""
_ALERT = text(f"SELECT {_COLUMNS} FROM alerts WHERE org_id = :org AND id = :alert")
_HISTORY = text(
    """
    SELECT id, action, severity, at, details FROM alert_history
    WHERE alert_id = :alert AND id > :after
    ORDER BY id
    LIMIT :limit
    """
)


@dataclass(frozen=True)
class AlertQuery:
    org_id: UUID
    status: str = "open"
    alert_type: str | None = None
    severity: str | None = None
    after: Cursor | None = None
    limit: int = 50


async def alerts(session: AsyncSession, query: AlertQuery) -> list[dict[str, Any]]:
    params: dict[str, Any] = {"org": query.org_id, "status": query.status, "limit": query.limit}
    filters = []
    for column, value in (("alert_type", query.alert_type), ("severity", query.severity)):
        if value is not None:
            filters.append(f"AND {column} = :{column}")
            params[column] = value
    if query.after is not None:
        filters.append(
            "AND (last_seen_at, id) < (CAST(:after_key AS timestamptz), CAST(:after_id AS uuid))"
        )
        params.update(after_key=query.after.typed_key("timestamptz"), after_id=query.after.row_id)
    sql = _ALERTS.format(filters=" ".join(filters))
    return rows_of(await session.execute(text(sql), params))


async def alert(session: AsyncSession, org_id: UUID, alert_id: UUID) -> dict[str, Any] | None:
    found = rows_of(await session.execute(_ALERT, {"org": org_id, "alert": alert_id}))
    return found[0] if found else None


async def history(
    session: AsyncSession, alert_id: UUID, after: int, limit: int
) -> list[dict[str, Any]]:
    params = {"alert": alert_id, "after": after, "limit": limit}
    return rows_of(await session.execute(_HISTORY, params))


class SqlAlertStates:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def status(self, org_id: UUID, alert_id: UUID) -> str | None:
        statement = text("SELECT status FROM alerts WHERE org_id = :org AND id = :alert")
        return (await self._session.execute(statement, {"org": org_id, "alert": alert_id})).scalar()
