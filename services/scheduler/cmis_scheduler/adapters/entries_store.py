"""Reading integrations with their organization's schedule settings, writing the planned
schedule entries (upsert on the (integration, data type) unique key), and finding and moving
the entries missed during downtime (catch-up)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from cmis_scheduler.adapters.zones import zone
from cmis_scheduler.domain.catch_up import MissedEntry
from cmis_scheduler.domain.entries import EntryState, IntegrationView
from cmis_scheduler.domain.schedule import ScheduleDefaults, schedule_specs
from cmis_shared.events import DataType, IntegrationStatus

_VIEWS = """
    SELECT i.id, i.org_id, i.platform, i.status, o.timezone, o.settings
    FROM integrations i JOIN organizations o ON o.id = i.org_id
"""
_EXISTING = text(
    "SELECT integration_id, data_type, period_seconds, offset_seconds, next_due_at, enabled "
    "FROM schedule_entries WHERE integration_id = ANY(:ids)"
)
_UPSERT = text(
    """
    INSERT INTO schedule_entries (id, org_id, integration_id, platform, data_type,
                                  period_seconds, offset_seconds, next_due_at, enabled)
    SELECT gen_random_uuid(), u.org_id, u.integration_id, u.platform, u.data_type,
           u.period, u.shift, u.due, u.enabled
    FROM unnest(CAST(:org_ids AS uuid[]), CAST(:integration_ids AS uuid[]),
                CAST(:platforms AS text[]), CAST(:data_types AS text[]), CAST(:periods AS int[]),
                CAST(:shifts AS int[]), CAST(:dues AS timestamptz[]), CAST(:enabled AS bool[]))
         AS u(org_id, integration_id, platform, data_type, period, shift, due, enabled)
    ON CONFLICT (integration_id, data_type) DO UPDATE
    SET period_seconds = EXCLUDED.period_seconds, offset_seconds = EXCLUDED.offset_seconds,
        next_due_at = EXCLUDED.next_due_at, enabled = EXCLUDED.enabled
    """
)
_MISSED = text(
    """
    SELECT integration_id, data_type, period_seconds FROM schedule_entries
    WHERE enabled AND next_due_at < :before
    ORDER BY next_due_at LIMIT :limit
    FOR UPDATE SKIP LOCKED
    """
)
_MOVE = text(
    """
    UPDATE schedule_entries se SET next_due_at = u.due
    FROM unnest(CAST(:integration_ids AS uuid[]), CAST(:data_types AS text[]),
                CAST(:dues AS timestamptz[])) AS u(integration_id, data_type, due)
    WHERE se.integration_id = u.integration_id AND se.data_type = u.data_type
    """
)


class EntriesStore:
    def __init__(self, session: AsyncSession, defaults: ScheduleDefaults) -> None:
        self._session = session
        self._defaults = defaults

    async def views(self, integration_ids: Sequence[UUID]) -> list[IntegrationView]:
        rows = await self._session.execute(
            text(_VIEWS + " WHERE i.id = ANY(:ids)"), {"ids": list(integration_ids)}
        )
        return [self._view(row) for row in rows]

    async def views_after(self, after: UUID | None, limit: int) -> list[IntegrationView]:
        """A page of every integration, in id order (start-up reconciliation)."""
        rows = await self._session.execute(
            text(
                _VIEWS + " WHERE (CAST(:after AS uuid) IS NULL OR i.id > :after) "
                "ORDER BY i.id LIMIT :limit"
            ),
            {"after": after, "limit": limit},
        )
        return [self._view(row) for row in rows]

    async def integration_ids_of_org(self, org_id: UUID) -> list[UUID]:
        rows = await self._session.scalars(
            text("SELECT id FROM integrations WHERE org_id = :org ORDER BY id"), {"org": org_id}
        )
        return list(rows)

    def _view(self, row: Any) -> IntegrationView:
        return IntegrationView(
            integration_id=row.id,
            org_id=row.org_id,
            platform=row.platform,
            active=row.status == IntegrationStatus.ACTIVE,
            zone=zone(row.timezone),
            specs=schedule_specs(self._defaults, row.settings),
        )

    async def existing(
        self, integration_ids: Sequence[UUID]
    ) -> dict[UUID, dict[DataType, EntryState]]:
        rows = await self._session.execute(_EXISTING, {"ids": list(integration_ids)})
        found: dict[UUID, dict[DataType, EntryState]] = {}
        for row in rows:
            data_type = DataType(row.data_type)
            found.setdefault(row.integration_id, {})[data_type] = EntryState(
                data_type, row.period_seconds, row.offset_seconds, row.next_due_at, row.enabled
            )
        return found

    async def write(self, planned: Sequence[tuple[IntegrationView, EntryState]]) -> None:
        if not planned:
            return
        await self._session.execute(
            _UPSERT,
            {
                "org_ids": [view.org_id for view, _ in planned],
                "integration_ids": [view.integration_id for view, _ in planned],
                "platforms": [view.platform for view, _ in planned],
                "data_types": [state.data_type.value for _, state in planned],
                "periods": [state.period_seconds for _, state in planned],
                "shifts": [state.offset_seconds for _, state in planned],
                "dues": [state.next_due_at for _, state in planned],
                "enabled": [state.enabled for _, state in planned],
            },
        )

    async def missed(self, before: datetime, limit: int) -> list[MissedEntry]:
        rows = await self._session.execute(_MISSED, {"before": before, "limit": limit})
        return [
            MissedEntry(row.integration_id, DataType(row.data_type), row.period_seconds)
            for row in rows
        ]

    async def move(self, moves: Sequence[tuple[MissedEntry, datetime]]) -> None:
        if not moves:
            return
        await self._session.execute(
            _MOVE,
            {
                "integration_ids": [entry.integration_id for entry, _ in moves],
                "data_types": [entry.data_type.value for entry, _ in moves],
                "dues": [due for _, due in moves],
            },
        )
