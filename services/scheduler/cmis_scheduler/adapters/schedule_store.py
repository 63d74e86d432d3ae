"""Schedule entries in PostgreSQL: claim due rows with ``FOR UPDATE SKIP LOCKED`` (two
replicas never get the same row), and in the same transaction insert the ``sync_runs`` rows,
their ``sync.requested`` events (outbox) and the entries' next due times.

Set-based statements over arrays (``unnest``) keep a batch of thousands to a few round trips:
claiming is one, dispatching (runs, events, next due times) another.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import text

from cmis_scheduler.adapters.runs import UNIQUE_ACTIVE
from cmis_scheduler.adapters.unit_of_work import SqlUnitOfWork
from cmis_scheduler.adapters.zones import zone
from cmis_scheduler.domain.dispatch import Advance, DueEntry
from cmis_scheduler.domain.integrations import updated_event
from cmis_scheduler.domain.schedule import ScheduleSpec, schedule_specs
from cmis_shared.events import DataType, IntegrationStatus, Platform, SyncRequested, SyncTrigger
from cmis_shared.inbox_outbox import outbox_rows
from cmis_shared.statuses import RunStatus

_CLAIM = text(
    """
    SELECT se.id, se.org_id, se.integration_id, se.platform, se.data_type, se.next_due_at,
           i.status, i.status_reason, i.token_expires_at, i.refreshable,
           o.timezone, o.settings
    FROM schedule_entries se
    JOIN integrations i ON i.id = se.integration_id
    JOIN organizations o ON o.id = i.org_id
    WHERE se.platform = :platform AND se.enabled AND se.next_due_at <= :now
    ORDER BY se.next_due_at + make_interval(secs => se.period_seconds), se.id
    LIMIT :limit
    FOR UPDATE OF se SKIP LOCKED
    """
)
# Earliest deadline first (due + period): a short-period entry is not stuck behind a
# cluster of long-period ones, which keeps every entry within its period.

_DISPATCH = text(
    f"""
    WITH runs AS (
        INSERT INTO sync_runs (id, org_id, integration_id, platform, data_type, trigger,
                               correlation_id, status, attempt, requested_at)
        SELECT gen_random_uuid(), r.org_id, r.integration_id, r.platform, r.data_type,
               CAST(:trigger AS text), gen_random_uuid(), CAST(:queued AS text), 1, :now
        FROM unnest(CAST(:org_ids AS uuid[]), CAST(:integration_ids AS uuid[]),
                    CAST(:platforms AS text[]), CAST(:data_types AS text[]))
             AS r(org_id, integration_id, platform, data_type)
        ON CONFLICT (integration_id, data_type) WHERE {UNIQUE_ACTIVE} DO NOTHING
        RETURNING id, org_id, integration_id, platform, data_type, correlation_id
    ), advanced AS (
        UPDATE schedule_entries se
        SET next_due_at = u.due, period_seconds = u.period, offset_seconds = u.shift,
            last_dispatched_at = :now
        FROM unnest(CAST(:entry_ids AS uuid[]), CAST(:dues AS timestamptz[]),
                    CAST(:periods AS int[]), CAST(:shifts AS int[])) AS u(id, due, period, shift)
        WHERE se.id = u.id
    ), events AS (
        SELECT gen_random_uuid() AS event_id, runs.* FROM runs
    )
    INSERT INTO outbox (id, routing_key, payload, headers, correlation_id, priority)
    SELECT e.event_id, CAST(:routing_key AS text),
           convert_to(CAST(CAST(:template AS jsonb) || jsonb_build_object(
               'event_id', e.event_id, 'org_id', e.org_id, 'correlation_id', e.correlation_id,
               'run_id', e.id, 'integration_id', e.integration_id, 'platform', e.platform,
               'data_type', e.data_type) AS text), 'UTF8'),
           CAST(:headers AS jsonb), CAST(e.correlation_id AS text), :priority
    FROM events e
    """
)
# One statement for a whole batch: the run rows (skipping entries whose previous run is still
# queued or running: the arbiter's WHERE repeats the partial index's predicate as values, so
# PostgreSQL infers the index, which a bound parameter would defeat), every entry advanced,
# and one outbox row per inserted run. Each event is the batch's template event (a
# SyncRequested built and serialized by its pydantic model, so every field the contract has
# and its defaults come from there) with the per-run identifiers set; ids come from
# PostgreSQL. No Python object per entry: this is what keeps planning set-based.

_ADVANCE = text(
    """
    UPDATE schedule_entries se
    SET next_due_at = u.due, period_seconds = u.period, offset_seconds = u.shift
    FROM unnest(CAST(:ids AS uuid[]), CAST(:dues AS timestamptz[]), CAST(:periods AS int[]),
                CAST(:shifts AS int[])) AS u(id, due, period, shift)
    WHERE se.id = u.id
    """
)
_NIL = UUID(int=0)


class SqlScheduleBatch(SqlUnitOfWork):
    """The scheduler's unit of work (one transaction, outbox included), over claimed
    schedule entries."""

    async def claim_due(self, platform: Platform, now: datetime, limit: int) -> list[DueEntry]:
        rows = (
            await self.session.execute(
                _CLAIM, {"platform": platform.value, "now": now, "limit": limit}
            )
        ).all()
        specs: dict[UUID, dict[DataType, ScheduleSpec]] = {}
        return [self._due_entry(row, specs) for row in rows]

    def _due_entry(self, row: Any, specs: dict[UUID, dict[DataType, ScheduleSpec]]) -> DueEntry:
        if row.org_id not in specs:
            specs[row.org_id] = schedule_specs(self._defaults, row.settings)
        data_type = DataType(row.data_type)
        active = row.status == IntegrationStatus.ACTIVE
        return DueEntry(
            entry_id=row.id,
            org_id=row.org_id,
            integration_id=row.integration_id,
            platform=Platform(row.platform),
            data_type=data_type,
            next_due_at=row.next_due_at,
            spec=specs[row.org_id].get(data_type) if active else None,
            zone=zone(row.timezone),
            token_expires_at=row.token_expires_at,
            refreshable=row.refreshable,
            status_reason=row.status_reason,
        )

    async def dispatch(self, advances: Sequence[Advance], now: datetime) -> int:
        """Insert runs (skipping entries whose previous run is still queued or running) and
        their events; advance every entry either way. Returns the events staged."""
        if not advances:
            return 0
        entries = [item.entry for item in advances]
        template = SyncRequested(
            org_id=_NIL, correlation_id=_NIL, occurred_at=now, run_id=_NIL,
            integration_id=_NIL, platform=entries[0].platform, data_type=entries[0].data_type,
            trigger=SyncTrigger.SCHEDULED, attempt=1,
        )  # fmt: skip
        ((_, routing_key, payload, headers, _, priority),) = outbox_rows([template])
        staged = await self.session.execute(
            _DISPATCH,
            {
                "now": now,
                "trigger": template.trigger.value,
                "queued": RunStatus.QUEUED.value,
                "org_ids": [entry.org_id for entry in entries],
                "integration_ids": [entry.integration_id for entry in entries],
                "platforms": [entry.platform.value for entry in entries],
                "data_types": [entry.data_type.value for entry in entries],
                "entry_ids": [entry.entry_id for entry in entries],
                "dues": [item.next_due_at for item in advances],
                "periods": [item.period_seconds for item in advances],
                "shifts": [item.offset_seconds for item in advances],
                "routing_key": routing_key,
                "template": payload.decode(),
                "headers": headers,
                "priority": priority,
            },
        )
        return int(staged.rowcount)  # type: ignore[attr-defined]

    async def advance(self, advances: Sequence[Advance]) -> None:
        """Move entries on without dispatching them (their token is dead)."""
        if not advances:
            return
        await self.session.execute(
            _ADVANCE,
            {
                "ids": [item.entry.entry_id for item in advances],
                "dues": [item.next_due_at for item in advances],
                "periods": [item.period_seconds for item in advances],
                "shifts": [item.offset_seconds for item in advances],
            },
        )

    async def report_token_expired(self, entries: Sequence[DueEntry], now: datetime) -> None:
        if not entries:
            return
        rows = await self.integrations.mark_token_expired(
            [entry.integration_id for entry in entries]
        )
        await self.publish(*[updated_event(row, now) for row in rows])

    async def switch_off(self, entries: Sequence[DueEntry]) -> None:
        if entries:
            await self.session.execute(
                text("UPDATE schedule_entries SET enabled = false WHERE id = ANY(:ids)"),
                {"ids": [entry.entry_id for entry in entries]},
            )
