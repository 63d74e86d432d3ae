"""The manual trigger use case against in-memory fakes."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from cmis_dashboard_api.handlers.trigger import (
    IntegrationNotFoundError,
    TriggerSync,
    trigger_sync,
)
from cmis_shared.events import DataType, SyncRequested, SyncTrigger
from cmis_shared.statuses import RunStatus
from tests.unit.dashboard_api.fakes import FakeUnitOfWork

ORG = uuid4()


async def _connected(uow: FakeUnitOfWork, org_id: UUID = ORG) -> UUID:
    async with uow:
        row = await uow.integrations.connect(
            org_id, {"platform": "meta", "account_id": "a1", "account_name": "A"}, {}
        )
        await uow.commit()
    return row.id


def _command(integration_id: UUID | None, data_type: DataType = DataType.METRICS) -> TriggerSync:
    return TriggerSync(ORG, integration_id, data_type, "ana@example.test")


def _queue_run(
    uow: FakeUnitOfWork, integration_id: UUID, trigger: SyncTrigger, status: RunStatus
) -> UUID:
    run_id = uuid4()
    uow.committed.runs[run_id] = {
        "integration_id": integration_id,
        "data_type": DataType.METRICS,
        "status": status,
        "trigger": trigger,
        "attempt": 2,
        "correlation_id": uuid4(),
        "requested_by": None,
    }
    return run_id


async def test_trigger_queues_a_manual_run_and_stages_its_request() -> None:
    uow = FakeUnitOfWork()
    integration_id = await _connected(uow)

    [run] = await trigger_sync(_command(integration_id), uow)

    assert run.created and run.status == RunStatus.QUEUED
    [event] = uow.committed.published
    assert isinstance(event, SyncRequested)
    assert (event.run_id, event.trigger, event.attempt) == (run.run_id, SyncTrigger.MANUAL, 1)
    assert event.correlation_id == run.correlation_id


async def test_trigger_while_a_manual_run_is_active_returns_it_and_stages_nothing() -> None:
    uow = FakeUnitOfWork()
    integration_id = await _connected(uow)
    [first] = await trigger_sync(_command(integration_id), uow)

    [again] = await trigger_sync(_command(integration_id), uow)

    assert (again.run_id, again.created) == (first.run_id, False)
    assert len(uow.committed.published) == 1


@pytest.mark.parametrize("trigger", [SyncTrigger.SCHEDULED, SyncTrigger.RETRY])
async def test_trigger_promotes_a_queued_scheduled_or_retry_run_to_manual(
    trigger: SyncTrigger,
) -> None:
    uow = FakeUnitOfWork()
    integration_id = await _connected(uow)
    run_id = _queue_run(uow, integration_id, trigger, RunStatus.QUEUED)

    [run] = await trigger_sync(_command(integration_id), uow)

    assert (run.run_id, run.created) == (run_id, False)
    assert uow.committed.runs[run_id]["trigger"] is SyncTrigger.MANUAL
    [event] = uow.committed.published
    assert isinstance(event, SyncRequested)
    # the same attempt again, at manual priority: the worker runs whichever copy comes first
    assert (event.run_id, event.attempt, event.trigger) == (run_id, 2, SyncTrigger.MANUAL)


async def test_trigger_leaves_a_running_scheduled_run_alone() -> None:
    uow = FakeUnitOfWork()
    integration_id = await _connected(uow)
    run_id = _queue_run(uow, integration_id, SyncTrigger.SCHEDULED, RunStatus.RUNNING)

    [run] = await trigger_sync(_command(integration_id), uow)

    assert (run.run_id, run.created, run.status) == (run_id, False, RunStatus.RUNNING)
    assert uow.committed.runs[run_id]["trigger"] is SyncTrigger.SCHEDULED
    assert uow.committed.published == []


async def test_org_trigger_covers_every_connected_integration_of_the_org_only() -> None:
    uow = FakeUnitOfWork()
    ours = {await _connected(uow), await _connected(uow)}
    await _connected(uow, uuid4())

    runs = await trigger_sync(_command(None), uow)

    assert {run.integration_id for run in runs} == ours
    assert uow.commits == 3 + 1  # three connects, then the trigger
    assert len(uow.committed.published) == 2


async def test_trigger_of_an_unknown_integration_raises_and_commits_nothing() -> None:
    uow = FakeUnitOfWork()
    await _connected(uow)
    commits = uow.commits

    with pytest.raises(IntegrationNotFoundError):
        await trigger_sync(_command(uuid4()), uow)

    assert uow.commits == commits
    assert uow.committed.runs == {}
