"""The manual sync trigger: one run per target integration, or the run already active.

A scheduled or retry run still ``queued`` would be served at its own (low) priority behind
the backlog, so the click promotes it: the run becomes manual and a second
``SyncRequested`` of the same run and attempt goes out at manual priority. The worker takes
whichever copy arrives first and treats the other as a redelivery of that attempt (it
finishes an attempt once), so the two copies never give two terminal events."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from cmis_dashboard_api.ports import ActiveRun, NewRun, TriggerTarget, UnitOfWork
from cmis_dashboard_api.schemas.sync import TriggeredRun
from cmis_shared.events import DataType, Platform, SyncRequested, SyncTrigger
from cmis_shared.statuses import RunStatus

PROMOTED_TRIGGERS = (SyncTrigger.SCHEDULED, SyncTrigger.RETRY)


@dataclass(frozen=True)
class TriggerSync:
    org_id: UUID
    integration_id: UUID | None  # None: every connected integration of the org
    data_type: DataType
    requested_by: str


class IntegrationNotFoundError(LookupError):
    """The integration named by the trigger is not the org's, or is disconnected."""


async def trigger_sync(
    command: TriggerSync, uow: UnitOfWork, new_id: Callable[[], UUID] = uuid.uuid4
) -> list[TriggeredRun]:
    async with uow:
        targets = await uow.runs.targets(command.org_id, command.integration_id)
        if command.integration_id is not None and not targets:
            raise IntegrationNotFoundError(str(command.integration_id))
        runs = [await _request(uow, command, target, new_id) for target in targets]
        await uow.commit()
    return runs


async def _request(
    uow: UnitOfWork, command: TriggerSync, target: TriggerTarget, new_id: Callable[[], UUID]
) -> TriggeredRun:
    while True:  # the active run may finish between our insert and our read: try again
        run = NewRun(
            new_id(), new_id(), command.org_id, target, command.data_type, command.requested_by
        )
        if await uow.runs.insert_manual(run):
            await uow.publish(_requested(command, target, run.run_id, run.correlation_id, 1))
            return _triggered(
                target, command.data_type, run.run_id, RunStatus.QUEUED, True, run.correlation_id
            )
        active = await uow.runs.active(target.integration_id, command.data_type)
        if active is not None:
            await _promote(uow, command, target, active)
            return _triggered(
                target,
                command.data_type,
                active.run_id,
                active.status,
                False,
                active.correlation_id,
            )


async def _promote(
    uow: UnitOfWork, command: TriggerSync, target: TriggerTarget, active: ActiveRun
) -> None:
    if active.status is not RunStatus.QUEUED or active.trigger not in PROMOTED_TRIGGERS:
        return
    if await uow.runs.mark_manual(active.run_id, command.requested_by):
        await uow.publish(
            _requested(command, target, active.run_id, active.correlation_id, active.attempt)
        )


def _requested(
    command: TriggerSync, target: TriggerTarget, run_id: UUID, correlation_id: UUID, attempt: int
) -> SyncRequested:
    return SyncRequested(
        org_id=command.org_id,
        correlation_id=correlation_id,
        run_id=run_id,
        integration_id=target.integration_id,
        platform=Platform(target.platform),
        data_type=command.data_type,
        trigger=SyncTrigger.MANUAL,
        attempt=attempt,
        requested_by=command.requested_by,
    )


def _triggered(
    target: TriggerTarget,
    data_type: DataType,
    run_id: UUID,
    status: RunStatus,
    created: bool,
    correlation_id: UUID,
) -> TriggeredRun:
    return TriggeredRun(
        run_id=run_id,
        integration_id=target.integration_id,
        platform=target.platform,
        data_type=data_type,
        status=status,
        created=created,
        correlation_id=correlation_id,
    )
