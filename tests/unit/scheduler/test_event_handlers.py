"""The event handlers over an in-memory unit of work: re-planning, retries, pausing and
resuming, each once however often the event is delivered."""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from cmis_scheduler.domain.entries import IntegrationView
from cmis_scheduler.domain.health import HealthPolicy, pause_message
from cmis_scheduler.domain.integrations import IntegrationRecord
from cmis_scheduler.domain.schedule import ScheduleDefaults, schedule_specs
from cmis_scheduler.handlers.integration_events import on_integration
from cmis_scheduler.handlers.sync_outcomes import on_sync_completed, on_sync_failed
from cmis_shared.events import (
    DataType,
    IntegrationConnected,
    IntegrationStatus,
    IntegrationUpdated,
    Platform,
    SyncCompleted,
    SyncFailed,
)
from tests.unit.scheduler.fake_uow import FakeStore
from tests.unit.scheduler.fakes import START

pytestmark = pytest.mark.unit

POLICY = HealthPolicy(max_failures=2, min_span=timedelta(hours=1))


def clock() -> Any:
    return START


def integration(store: FakeStore, **changes: Any) -> IntegrationRecord:
    fields: dict[str, Any] = {
        "id": uuid4(), "org_id": uuid4(), "platform": Platform.GOOGLE, "account_id": "a1",
        "account_name": "Acme", "status": IntegrationStatus.ACTIVE, "status_reason": None,
        "currency": "USD", "timezone": "UTC", "token_expires_at": None, "refreshable": True,
        "consecutive_failures": 0, "first_failure_at": None,
    }  # fmt: skip
    record = IntegrationRecord(**{**fields, **changes})
    store.state.integrations[record.id] = record
    store.state.views[record.id] = IntegrationView(
        record.id, record.org_id, "google", record.status is IntegrationStatus.ACTIVE, UTC,
        schedule_specs(ScheduleDefaults(), None),
    )  # fmt: skip
    return record


def failed(record: IntegrationRecord, **changes: Any) -> SyncFailed:
    fields: dict[str, Any] = {
        "org_id": record.org_id, "correlation_id": uuid4(), "run_id": uuid4(),
        "integration_id": record.id, "platform": "google", "data_type": "metrics",
        "trigger": "scheduled", "attempt": 1, "error_class": "platform_error",
        "message": "HTTP 503", "retryable": True, "will_retry": False, "occurred_at": START,
    }  # fmt: skip
    return SyncFailed(**{**fields, **changes})


def completed(record: IntegrationRecord) -> SyncCompleted:
    return SyncCompleted(
        org_id=record.org_id, correlation_id=uuid4(), run_id=uuid4(), integration_id=record.id,
        platform=Platform.GOOGLE, data_type=DataType.METRICS, trigger="manual", attempt=1,
        started_at=START, finished_at=START + timedelta(seconds=5), duration_ms=5000,
    )  # fmt: skip


def connected(record: IntegrationRecord) -> IntegrationConnected:
    return IntegrationConnected(
        org_id=record.org_id, correlation_id=uuid4(), integration_id=record.id,
        platform=record.platform, account_id=record.account_id,
        account_name=record.account_name, status=record.status,
    )  # fmt: skip


def data_types(store: FakeStore, integration_id: UUID) -> set[DataType]:
    entries = store.state.entries.get(integration_id, {})
    return {kind for kind, state in entries.items() if state.enabled}


async def test_a_connected_integration_gets_its_entries_and_a_fresh_streak_once() -> None:
    store = FakeStore()
    record = integration(store, consecutive_failures=3, first_failure_at=START)
    event = connected(record)
    await on_integration(event, store.uow(), clock)
    entries = dict(store.state.entries[record.id])
    store.state.entries[record.id].clear()
    await on_integration(event, store.uow(), clock)  # redelivered: no second effect

    assert set(entries) == {DataType.METRICS, DataType.CAMPAIGNS, DataType.ALL}
    assert store.state.entries[record.id] == {}
    assert store.state.integrations[record.id].consecutive_failures == 0


async def test_a_failure_to_retry_becomes_one_retry_entry_for_the_next_attempt() -> None:
    store = FakeStore()
    record = integration(store)
    event = failed(record, will_retry=True, next_attempt_at=START + timedelta(minutes=1))
    await on_sync_failed(event, store.uow(), POLICY, clock)
    await on_sync_failed(event, store.uow(), POLICY, clock)

    assert store.state.retries == {(event.run_id, 2): START + timedelta(minutes=1)}
    assert store.state.integrations[record.id].consecutive_failures == 0


async def test_final_failures_past_the_policy_pause_the_integration_and_say_so() -> None:
    store = FakeStore()
    record = integration(store)
    await on_integration(connected(record), store.uow(), clock)
    await on_sync_failed(failed(record), store.uow(), POLICY, clock)
    await on_sync_failed(
        failed(record, occurred_at=START + timedelta(hours=2)), store.uow(), POLICY, clock
    )

    paused = store.state.integrations[record.id]
    assert paused.status is IntegrationStatus.PAUSED
    assert paused.status_reason == pause_message(2)
    [update] = store.events(IntegrationUpdated)
    assert isinstance(update, IntegrationUpdated) and update.status is IntegrationStatus.PAUSED
    assert data_types(store, record.id) == set()  # a paused integration is not scheduled


async def test_a_success_resumes_an_integration_paused_by_failures_only() -> None:
    store = FakeStore()
    by_policy = integration(
        store, status=IntegrationStatus.PAUSED, status_reason=pause_message(5),
        consecutive_failures=5, first_failure_at=START - timedelta(days=2),
    )  # fmt: skip
    by_person = integration(store, status=IntegrationStatus.PAUSED, status_reason="by user")
    await on_sync_completed(completed(by_policy), store.uow(), clock)
    await on_sync_completed(completed(by_person), store.uow(), clock)

    assert store.state.integrations[by_policy.id].status is IntegrationStatus.ACTIVE
    assert store.state.integrations[by_policy.id].consecutive_failures == 0
    assert store.state.integrations[by_person.id].status is IntegrationStatus.PAUSED
    assert [e.integration_id for e in store.events(IntegrationUpdated)] == [by_policy.id]  # type: ignore[attr-defined]
