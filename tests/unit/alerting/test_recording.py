"""Sequences of facts through the rules and the lifecycle into a store, as the handlers run
them: dedupe, escalation, resolve, duplicates and out-of-order facts."""

import uuid
from datetime import timedelta

import pytest

from cmis_alerting.domain.sync_outcomes import completed_observations, failed_observations
from cmis_alerting.domain.thresholds import Thresholds
from cmis_alerting.handlers.recording import record
from cmis_shared.events import AlertRaised, AlertResolved, Event, Severity, SyncCompleted
from tests.unit.alerting.factories import NOW, at, campaign, sync_completed, sync_failed
from tests.unit.alerting.fake_store import FakeAlertStore

pytestmark = pytest.mark.unit

SUMMER = uuid.uuid4()


async def _apply(store: FakeAlertStore, event: Event) -> list[AlertRaised | AlertResolved]:
    if isinstance(event, SyncCompleted):
        observations = completed_observations(event, Thresholds(), NOW)
    else:
        observations = failed_observations(event)  # type: ignore[arg-type]
    return await record(
        store, observations, cause_event_id=event.event_id, correlation_id=event.correlation_id
    )


def _spend(lifetime: str, seconds: float) -> SyncCompleted:
    return sync_completed(
        at(seconds), campaigns=[campaign("1000", lifetime=lifetime, campaign_id=SUMMER)]
    )


def _summary(events: list[AlertRaised | AlertResolved]) -> list[tuple[str, str]]:
    return [
        (e.event_type, "escalated" if isinstance(e, AlertRaised) and e.escalated else e.severity)
        for e in events
    ]


async def test_budget_sequence_raises_once_escalates_and_resolves() -> None:
    store = FakeAlertStore()
    assert await _apply(store, _spend("850", 0)) == []
    assert _summary(await _apply(store, _spend("900", 10))) == [("alert.raised", "warning")]
    assert await _apply(store, _spend("950", 20)) == []  # already open: last-seen only
    assert _summary(await _apply(store, _spend("1000", 30))) == [("alert.raised", "escalated")]
    assert await _apply(store, _spend("920", 25)) == []  # older fact: ignored
    [resolved] = await _apply(store, _spend("100", 40))
    assert isinstance(resolved, AlertResolved) and resolved.severity is Severity.CRITICAL
    assert await _apply(store, _spend("2000", 35)) == []  # older than the resolution
    assert store.open_alerts() == []
    assert [action for _, action, _ in store.history] == ["raised", "escalated", "resolved"]


async def test_all_raised_events_of_one_alert_share_its_id_and_correlation() -> None:
    store = FakeAlertStore()
    raised = (await _apply(store, _spend("900", 0)))[0]
    event = _spend("1000", 10)
    escalated = (await _apply(store, event))[0]
    assert raised.alert_id == escalated.alert_id
    assert escalated.correlation_id == event.correlation_id


async def test_repeated_final_failures_update_one_alert_until_a_sync_succeeds() -> None:
    store = FakeAlertStore()
    assert await _apply(store, sync_failed(at(0), will_retry=True)) == []
    [first] = await _apply(store, sync_failed(at(10), message="HTTP 500"))
    [second] = await _apply(store, sync_failed(at(20), message="HTTP 502"))
    assert isinstance(first, AlertRaised) and isinstance(second, AlertRaised)
    assert (first.occurrences, second.occurrences) == (1, 2)
    assert first.alert_id == second.alert_id
    assert second.details["last_error"] == "HTTP 502"
    [only] = store.open_alerts()
    assert only.occurrences == 2

    [resolved] = await _apply(store, sync_completed(at(30)))
    assert isinstance(resolved, AlertResolved) and resolved.alert_id == first.alert_id
    assert await _apply(store, sync_failed(at(25))) == []  # failed before the success


async def test_token_nearing_expiry_escalates_as_syncs_report_it() -> None:
    store = FakeAlertStore()
    week = sync_completed(at(0), token_expires_at=NOW + timedelta(days=3))
    hours = sync_completed(at(10), token_expires_at=NOW + timedelta(hours=3))
    assert _summary(await _apply(store, week)) == [("alert.raised", "warning")]
    assert _summary(await _apply(store, hours)) == [("alert.raised", "escalated")]
