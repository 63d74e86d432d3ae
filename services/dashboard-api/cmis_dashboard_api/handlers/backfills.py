"""Backfill requests: validate the range against the platforms' horizons, plan only the days
no live window covers (so an overlapping request adds no duplicate work), and write the
backfill with its windows; the scheduler sends them. Cancelling stops the windows not yet
sent. Both stage ``backfill.progressed`` for the live stream."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from cmis_dashboard_api.domain.backfill import (
    BackfillRangeError,
    DayRange,
    check_range,
    latest_day,
    missing_days,
    plan_windows,
)
from cmis_dashboard_api.handlers.trigger import IntegrationNotFoundError
from cmis_dashboard_api.ports import NewBackfill, NewWindow, UnitOfWork
from cmis_dashboard_api.schemas.backfills import (
    BackfillOut,
    DaySpan,
    GapsOut,
    IntegrationGaps,
)
from cmis_shared.clock import Clock
from cmis_shared.events import BackfillProgressed, BackfillStatus, DataType, Platform

GAPS_DEFAULT_DAYS = 90


@dataclass(frozen=True)
class RequestBackfill:
    org_id: UUID
    requested_by: str
    since: date
    until: date
    integration_ids: tuple[UUID, ...] | None
    data_types: tuple[str, ...]
    only_gaps: bool


async def request_backfill(
    command: RequestBackfill, uow: UnitOfWork, clock: Clock, new_id: Callable[[], UUID] = uuid.uuid4
) -> BackfillOut:
    requested = DayRange(command.since, command.until)
    data_types = tuple(dict.fromkeys(command.data_types))
    if command.only_gaps and data_types != (DataType.METRICS.value,):
        raise BackfillRangeError("only_gaps applies to daily metrics: ask for data_types [metrics]")
    now = clock()
    async with uow:
        targets = await uow.backfills.targets(command.org_id, command.integration_ids, lock=True)
        if command.integration_ids is not None and len(targets) != len(
            set(command.integration_ids)
        ):
            raise IntegrationNotFoundError("integration")
        platforms = {t.integration_id: Platform(t.platform) for t in targets}
        check_range(requested, platforms.values(), latest_day(now))
        ids = list(platforms)
        covered = await uow.backfills.covered(ids, data_types)
        with_data = (
            await uow.backfills.days_with_metrics(ids, requested.start, requested.end)
            if command.only_gaps
            else {}
        )
        windows = [
            NewWindow(integration_id, platform, data_type, span)
            for integration_id, platform in platforms.items()
            for data_type in data_types
            for span in plan_windows(
                platform,
                requested,
                covered.get((integration_id, data_type), [])
                + [DayRange(day, day) for day in with_data.get(integration_id, ())],
            )
        ]
        backfill = NewBackfill(
            id=new_id(),
            org_id=command.org_id,
            correlation_id=new_id(),
            requested_by=command.requested_by,
            since=requested.start,
            until=requested.end,
            integration_ids=tuple(ids),
            data_types=data_types,
            only_gaps=command.only_gaps,
            status=BackfillStatus.RUNNING if windows else BackfillStatus.COMPLETED,
        )
        out = await uow.backfills.create(backfill, windows, now)
        await uow.publish(_progressed(command.org_id, backfill.correlation_id, out))
        await uow.commit()
    return out


async def cancel_backfill(
    org_id: UUID, backfill_id: UUID, uow: UnitOfWork, clock: Clock
) -> BackfillOut | None:
    async with uow:
        result = await uow.backfills.cancel(org_id, backfill_id, clock())
        if result is None:
            return None
        out, correlation_id, changed = result
        if changed:
            await uow.publish(_progressed(org_id, correlation_id, out))
        await uow.commit()
    return out


async def integration_gaps(
    org_id: UUID,
    integration_id: UUID | None,
    since: date | None,
    until: date | None,
    uow: UnitOfWork,
    clock: Clock,
) -> GapsOut:
    """Per integration, the days in the range (default: the last 90 days) with no daily
    metrics."""
    end = until or clock().date()
    start = since or end - timedelta(days=GAPS_DEFAULT_DAYS - 1)
    if start > end:
        raise BackfillRangeError("since must not be after until")
    requested = DayRange(start, end)
    async with uow:
        ids = None if integration_id is None else (integration_id,)
        targets = await uow.backfills.targets(org_id, ids, lock=False)
        if integration_id is not None and not targets:
            raise IntegrationNotFoundError(str(integration_id))
        have = await uow.backfills.days_with_metrics(
            [t.integration_id for t in targets], start, end
        )
    result = []
    for target in targets:
        gaps = missing_days(requested, have.get(target.integration_id, ()))
        result.append(
            IntegrationGaps(
                integration_id=target.integration_id,
                platform=target.platform,
                since=start,
                until=end,
                missing_days=sum(gap.days for gap in gaps),
                gaps=[DaySpan(start=gap.start, end=gap.end, days=gap.days) for gap in gaps],
            )
        )
    return GapsOut(integrations=result)


def _progressed(org_id: UUID, correlation_id: UUID, out: BackfillOut) -> BackfillProgressed:
    return BackfillProgressed(
        org_id=org_id,
        correlation_id=correlation_id,
        backfill_id=out.id,
        status=out.status,
        windows_total=out.windows_total,
        windows_done=out.windows_done,
        windows_failed=out.windows_failed,
        windows_cancelled=out.windows_cancelled,
        rows_stored=out.rows_stored,
    )
