"""Stuck runs: the pure decision, and the sweep over an in-memory unit of work."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import uuid4

import pytest

from cmis_scheduler.domain.retry import TimeoutRetryPolicy
from cmis_scheduler.domain.stuck import ActiveRun, StuckLimits, is_stuck, stuck_runs
from cmis_scheduler.handlers.sweep_stuck import sweep_stuck
from cmis_shared.events import DataType, ErrorClass, Platform, SyncFailed, SyncTrigger
from cmis_shared.statuses import RunStatus
from tests.unit.scheduler.fake_uow import FakeStore
from tests.unit.scheduler.fakes import START

pytestmark = pytest.mark.unit

LIMITS = StuckLimits()  # queued 30 min; running 20 min metrics/posts, 30 campaigns, 45 all
POLICY = TimeoutRetryPolicy(backoff_seconds=(60.0, 300.0), max_attempts=3)


def run(status: RunStatus, minutes_ago: float, **changes: Any) -> ActiveRun:
    fields: dict[str, Any] = {
        "run_id": uuid4(), "org_id": uuid4(), "integration_id": uuid4(),
        "platform": Platform.META, "data_type": DataType.METRICS,
        "trigger": SyncTrigger.SCHEDULED, "correlation_id": uuid4(), "status": status,
        "attempt": 1, "since": START - timedelta(minutes=minutes_ago),
    }  # fmt: skip
    return ActiveRun(**{**fields, **changes})


def test_queued_past_its_limit_is_stuck_and_not_before() -> None:
    assert is_stuck(run(RunStatus.QUEUED, 31), START, LIMITS)
    assert not is_stuck(run(RunStatus.QUEUED, 29), START, LIMITS)


@pytest.mark.parametrize(
    ("data_type", "fresh", "stuck"),
    [(DataType.METRICS, 19, 21), (DataType.POSTS, 19, 21), (DataType.CAMPAIGNS, 29, 31),
     (DataType.ALL, 44, 46)],
)  # fmt: skip
def test_running_limits_depend_on_the_data_type(
    data_type: DataType, fresh: int, stuck: int
) -> None:
    assert not is_stuck(run(RunStatus.RUNNING, fresh, data_type=data_type), START, LIMITS)
    assert is_stuck(run(RunStatus.RUNNING, stuck, data_type=data_type), START, LIMITS)


def test_only_active_runs_past_their_limit_are_picked() -> None:
    old_queued, fresh_running = run(RunStatus.QUEUED, 60), run(RunStatus.RUNNING, 5)
    finished = run(RunStatus.RETRYING, 600)
    assert stuck_runs([old_queued, fresh_running, finished], START, LIMITS) == [old_queued]


def test_a_timeout_retries_while_attempts_remain() -> None:
    assert POLICY.decide(1, START).next_attempt_at == START + timedelta(seconds=60)
    assert POLICY.decide(2, START).next_attempt_at == START + timedelta(seconds=300)
    assert not POLICY.decide(3, START).will_retry


def given(store: FakeStore, *runs: ActiveRun) -> None:
    for item in runs:
        store.state.runs[item.run_id] = item
        store.state.run_status[item.run_id] = item.status


async def test_a_stuck_run_ends_retrying_with_one_timeout_event_and_its_retry_entry() -> None:
    store = FakeStore()
    lost = run(RunStatus.QUEUED, 45)
    given(store, lost, run(RunStatus.RUNNING, 5))
    assert await sweep_stuck(store.uow, LIMITS, POLICY, lambda: START) == 1
    assert await sweep_stuck(store.uow, LIMITS, POLICY, lambda: START) == 0  # once

    [event] = store.events()
    assert isinstance(event, SyncFailed)
    assert (event.run_id, event.attempt, event.error_class) == (lost.run_id, 1, ErrorClass.TIMEOUT)
    assert event.will_retry and event.next_attempt_at == START + timedelta(seconds=60)
    assert event.correlation_id == lost.correlation_id and event.trigger is SyncTrigger.SCHEDULED
    assert store.state.run_status[lost.run_id] is RunStatus.RETRYING
    assert store.state.retries == {(lost.run_id, 2): START + timedelta(seconds=60)}


async def test_the_last_attempt_timing_out_fails_the_run_for_good() -> None:
    store = FakeStore()
    last = run(RunStatus.RUNNING, 25, attempt=3)
    given(store, last)
    await sweep_stuck(store.uow, LIMITS, POLICY, lambda: START)

    [event] = store.events()
    assert isinstance(event, SyncFailed) and not event.will_retry
    assert store.state.run_status[last.run_id] is RunStatus.FAILED
    assert store.state.retries == {}


async def test_an_attempt_the_worker_finished_first_is_left_alone() -> None:
    store = FakeStore()
    slow = run(RunStatus.RUNNING, 25)
    given(store, slow)
    store.state.finished_attempts[(slow.run_id, 1)] = "worker"  # finished, run not yet re-read
    assert await sweep_stuck(store.uow, LIMITS, POLICY, lambda: START) == 0
    assert store.events() == [] and store.state.retries == {}
