"""The alert lifecycle: raise, touch, escalate, update, resolve, and stale facts."""

import uuid
from dataclasses import replace

import pytest

from cmis_alerting.domain.announce import announce
from cmis_alerting.domain.lifecycle import Action, StoredAlert, decide
from cmis_alerting.domain.observations import AlertKey, clear, holds
from cmis_shared.events import AlertRaised, AlertResolved, AlertType, Severity
from tests.unit.alerting.factories import NOW, ORG, at

pytestmark = pytest.mark.unit

KEY = AlertKey(ORG, AlertType.BUDGET, "campaign", uuid.uuid4())
OPEN_WARNING = StoredAlert(
    alert_id=uuid.uuid4(), is_open=True, severity=Severity.WARNING, message="90%",
    occurrences=1, first_seen_at=NOW, last_seen_at=NOW, details={"spend": "900"},
)  # fmt: skip
RESOLVED = replace(OPEN_WARNING, is_open=False, resolved_at=at(60))


def test_condition_with_nothing_stored_raises_a_new_alert() -> None:
    decision = decide(None, holds(KEY, NOW, Severity.WARNING, "90%", {"spend": "900"}))
    assert decision is not None
    assert (decision.action, decision.alert_id, decision.occurrences) == (Action.RAISED, None, 1)
    assert decision.last_seen_at == NOW


def test_clear_with_nothing_open_does_nothing() -> None:
    assert decide(None, clear(KEY, NOW, "fine")) is None
    assert decide(RESOLVED, clear(KEY, at(120), "fine")) is None


def test_same_severity_again_only_moves_last_seen_and_announces_nothing() -> None:
    decision = decide(OPEN_WARNING, holds(KEY, at(10), Severity.WARNING, "95%", {"spend": "950"}))
    assert decision is not None
    assert decision.action is Action.TOUCHED
    assert (decision.message, decision.details, decision.last_seen_at) == (
        "90%",
        {"spend": "900"},
        at(10),
    )
    assert announce(decision, OPEN_WARNING.alert_id, uuid.uuid4()) is None


def test_higher_severity_escalates_and_announces_escalated() -> None:
    decision = decide(OPEN_WARNING, holds(KEY, at(10), Severity.CRITICAL, "100%"))
    assert decision is not None
    assert decision.action is Action.ESCALATED
    event = announce(decision, OPEN_WARNING.alert_id, uuid.uuid4())
    assert isinstance(event, AlertRaised)
    assert (event.escalated, event.severity, event.alert_id) == (
        True, Severity.CRITICAL, OPEN_WARNING.alert_id,
    )  # fmt: skip


def test_lower_severity_updates_without_escalating() -> None:
    critical = replace(OPEN_WARNING, severity=Severity.CRITICAL)
    decision = decide(critical, holds(KEY, at(10), Severity.WARNING, "95%"))
    assert decision is not None
    assert (decision.action, decision.severity) == (Action.UPDATED, Severity.WARNING)
    event = announce(decision, critical.alert_id, uuid.uuid4())
    assert isinstance(event, AlertRaised) and not event.escalated


def test_clear_resolves_and_announces_the_reason() -> None:
    decision = decide(OPEN_WARNING, clear(KEY, at(10), "spend is below the budget threshold"))
    assert decision is not None
    assert (decision.action, decision.resolved_at) == (Action.RESOLVED, at(10))
    event = announce(decision, OPEN_WARNING.alert_id, uuid.uuid4())
    assert isinstance(event, AlertResolved)
    assert (event.reason, event.severity, event.message) == (
        "spend is below the budget threshold", Severity.WARNING, "90%",
    )  # fmt: skip


def test_older_clear_does_not_resolve_a_newer_alert() -> None:
    assert decide(OPEN_WARNING, clear(KEY, at(-1), "fine")) is None


def test_older_condition_does_not_override_a_newer_alert() -> None:
    assert decide(OPEN_WARNING, holds(KEY, at(-1), Severity.CRITICAL, "100%")) is None


def test_older_condition_does_not_reopen_a_resolved_alert() -> None:
    assert decide(RESOLVED, holds(KEY, at(30), Severity.CRITICAL, "100%")) is None


def test_newer_condition_after_resolution_raises_a_new_alert() -> None:
    decision = decide(RESOLVED, holds(KEY, at(61), Severity.WARNING, "91%"))
    assert decision is not None
    assert (decision.action, decision.alert_id) == (Action.RAISED, None)


def test_repeated_occurrence_counts_and_keeps_the_last_error() -> None:
    critical = replace(OPEN_WARNING, severity=Severity.CRITICAL, details={"last_error": "a"})
    decision = decide(
        critical, holds(KEY, at(10), Severity.CRITICAL, "failed", {"last_error": "b"}, repeats=True)
    )
    assert decision is not None
    assert (decision.action, decision.occurrences) == (Action.UPDATED, 2)
    assert decision.details == {"last_error": "b"}
    event = announce(decision, critical.alert_id, uuid.uuid4())
    assert isinstance(event, AlertRaised) and event.occurrences == 2


def test_late_older_occurrence_counts_but_keeps_the_newer_error() -> None:
    critical = replace(OPEN_WARNING, severity=Severity.CRITICAL, details={"last_error": "new"})
    decision = decide(
        critical, holds(KEY, at(-10), Severity.CRITICAL, "x", {"last_error": "old"}, repeats=True)
    )
    assert decision is not None
    assert (decision.action, decision.occurrences) == (Action.UPDATED, 2)
    assert (decision.details, decision.last_seen_at) == ({"last_error": "new"}, NOW)


def test_every_announced_change_carries_when_the_alert_opened() -> None:
    """The dashboard orders open alerts by it; a touch moves only last-seen, so an order by
    any later time would differ between the events and the table."""
    raised = decide(None, holds(KEY, at(5), Severity.WARNING, "90%"))
    assert raised is not None
    event = announce(raised, uuid.uuid4(), uuid.uuid4())
    assert event is not None and event.first_seen_at == at(5) == raised.first_seen_at
    for observation in (
        holds(KEY, at(10), Severity.CRITICAL, "100%"),
        clear(KEY, at(10), "fine"),
    ):
        decision = decide(OPEN_WARNING, observation)
        assert decision is not None
        event = announce(decision, OPEN_WARNING.alert_id, uuid.uuid4())
        assert event is not None and event.first_seen_at == OPEN_WARNING.first_seen_at
