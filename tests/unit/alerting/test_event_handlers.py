"""The event handlers over fakes: one unit of work per event with the inbox claim, the alert
changes and the events announced; duplicates, org thresholds, disconnects and the race on
the one-open-alert rule."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from cmis_alerting.domain.thresholds import Thresholds
from cmis_alerting.handlers import EventHandlers
from cmis_shared.clock import ManualClock
from cmis_shared.events import AlertRaised, AlertResolved, IntegrationDisconnected
from tests.unit.alerting.factories import (
    INTEGRATION,
    NOW,
    ORG,
    at,
    campaign,
    integration_updated,
    sync_completed,
    sync_failed,
)
from tests.unit.alerting.fakes import FakeStore

pytestmark = pytest.mark.unit


def _handlers(store: FakeStore) -> EventHandlers:
    return EventHandlers(store.uow, Thresholds(), ManualClock(NOW))


async def test_a_final_failure_raises_one_alert_in_the_events_unit_of_work() -> None:
    store = FakeStore()
    event = sync_failed(at(0))
    await _handlers(store).sync_failed(event)

    [raised] = store.events()
    assert isinstance(raised, AlertRaised)
    assert (raised.alert_type, raised.subject_id, raised.severity) == (
        "sync_failure", INTEGRATION, "critical",
    )  # fmt: skip
    assert raised.correlation_id == event.correlation_id
    assert ("alerting", event.event_id) in store.state.processed
    assert [cause for _, _, cause in store.state.alerts.history] == [event.event_id]


async def test_a_redelivered_event_has_no_second_effect() -> None:
    store = FakeStore()
    handlers, event = _handlers(store), sync_failed(at(0))
    await handlers.sync_failed(event)
    await handlers.sync_failed(event)
    assert len(store.events()) == 1
    [alert] = store.open_alerts()
    assert alert.occurrences == 1


async def test_a_retrying_failure_only_claims_the_event() -> None:
    store = FakeStore()
    event = sync_failed(at(0), will_retry=True)
    await _handlers(store).sync_failed(event)
    assert store.events() == [] and store.open_alerts() == []
    assert ("alerting", event.event_id) in store.state.processed


async def test_a_success_resolves_the_failure_and_raises_budget_alerts() -> None:
    store = FakeStore()
    handlers = _handlers(store)
    await handlers.sync_failed(sync_failed(at(0)))
    await handlers.sync_completed(sync_completed(at(10), campaigns=[campaign(lifetime="950")]))

    kinds = sorted((e.event_type, str(e.alert_type)) for e in store.events()[1:])
    assert kinds == [("alert.raised", "budget"), ("alert.resolved", "sync_failure")]


async def test_organization_thresholds_override_the_defaults() -> None:
    store = FakeStore()
    store.state.org_settings[ORG] = {"alerts": {"budget_warning_pct": 50}}
    await _handlers(store).sync_completed(
        sync_completed(at(0), campaigns=[campaign(lifetime="600")])
    )
    [raised] = store.events()
    assert isinstance(raised, AlertRaised)
    assert raised.message == "Campaign 'Summer' has used 60% of budget"


async def test_a_disconnect_resolves_the_integrations_and_its_campaigns_alerts() -> None:
    store = FakeStore()
    handlers = _handlers(store)
    await handlers.sync_failed(sync_failed(at(0)))
    await handlers.sync_completed(
        sync_completed(at(5), campaigns=[campaign(lifetime="990")]),
    )
    await handlers.sync_failed(sync_failed(at(6)))
    other = sync_failed(at(7)).model_copy(update={"integration_id": uuid.uuid4()})
    await handlers.sync_failed(other)
    assert len(store.open_alerts()) == 3

    gone = IntegrationDisconnected(
        org_id=ORG, integration_id=INTEGRATION, platform="meta", occurred_at=at(20)
    )
    await handlers.integration_disconnected(gone)
    resolved = [e for e in store.events() if isinstance(e, AlertResolved)]
    assert sorted(str(e.alert_type) for e in resolved[-2:]) == ["budget", "sync_failure"]
    assert all(e.reason == "integration disconnected" for e in resolved[-2:])
    [left] = store.open_alerts()  # the other integration's
    assert left.details["last_error"] == "HTTP 500"


async def test_an_update_to_disconnected_clears_like_a_disconnect() -> None:
    store = FakeStore()
    handlers = _handlers(store)
    await handlers.integration_changed(integration_updated(at(0), status="paused"))
    assert len(store.open_alerts()) == 1
    await handlers.integration_changed(integration_updated(at(10), status="disconnected"))
    assert store.open_alerts() == []
    assert isinstance(store.events()[-1], AlertResolved)


async def test_an_integration_update_raises_token_and_pause_alerts() -> None:
    store = FakeStore()
    update = integration_updated(at(0), status="paused", token_expires_at=NOW + timedelta(hours=3))
    await _handlers(store).integration_changed(update)
    kinds = sorted((str(e.alert_type), str(e.severity)) for e in store.events())
    assert kinds == [("integration_paused", "critical"), ("token_expiry", "critical")]


async def test_an_alert_opened_concurrently_is_handled_once_more_and_updated() -> None:
    """The other handler opens the alert after this one looked and before it saved: the
    repository refuses the second open alert, and the handler runs again at once."""
    store = FakeStore()
    handlers = _handlers(store)
    first, late = sync_failed(at(0), message="HTTP 500"), sync_failed(at(1), message="HTTP 502")

    async def the_other_handler_wins() -> None:
        await handlers.sync_failed(first)

    store.before_latest = the_other_handler_wins
    await handlers.sync_failed(late)

    [alert] = store.open_alerts()
    assert (alert.occurrences, alert.details["last_error"]) == (2, "HTTP 502")
    assert [action for _, action, _ in store.state.alerts.history] == ["raised", "updated"]
    assert [e.occurrences for e in store.events(AlertRaised)] == [1, 2]  # type: ignore[attr-defined]
