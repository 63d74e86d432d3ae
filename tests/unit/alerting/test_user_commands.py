"""A user's acknowledge, snooze and resolve (``alerting.command``) over fakes: applied once,
in the command's unit of work; acknowledged and snoozed alerts change silently, escalations
of acknowledged ones and everything after a snooze are announced again."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest

from cmis_alerting.domain.thresholds import Thresholds
from cmis_alerting.handlers import AlertCommands, EventHandlers
from cmis_shared.clock import ManualClock
from cmis_shared.events import AlertAction, AlertCommand, AlertRaised, AlertResolved
from tests.unit.alerting.factories import NOW, ORG, at, campaign, sync_completed, sync_failed
from tests.unit.alerting.fakes import FakeStore

pytestmark = pytest.mark.unit

SUMMER = uuid.uuid4()


def _command(
    alert_id: uuid.UUID, action: AlertAction, seconds: float, until: datetime | None = None
) -> AlertCommand:
    return AlertCommand(
        org_id=ORG,
        alert_id=alert_id,
        action=action,
        snoozed_until=until,
        requested_by="ana@example.test",
        occurred_at=at(seconds),
    )


async def _failure_alert(store: FakeStore) -> uuid.UUID:
    await EventHandlers(store.uow, Thresholds(), ManualClock(NOW)).sync_failed(sync_failed(at(0)))
    [raised] = store.events()
    assert isinstance(raised, AlertRaised)
    return raised.alert_id


async def test_acknowledged_alert_counts_repeats_without_announcing_them() -> None:
    store = FakeStore()
    handlers = EventHandlers(store.uow, Thresholds(), ManualClock(NOW))
    alert_id = await _failure_alert(store)
    command = _command(alert_id, AlertAction.ACKNOWLEDGE, 10)
    await AlertCommands(store.uow).apply(command)
    await AlertCommands(store.uow).apply(command)  # redelivered: no second history row

    await handlers.sync_failed(sync_failed(at(20)))

    assert len(store.events()) == 1  # only the first raise
    [alert] = store.open_alerts()
    assert alert.occurrences == 2 and alert.acknowledged_at == at(10)
    actions = [action for _, action, _ in store.state.alerts.history]
    assert actions == ["raised", "acknowledged", "updated"]


async def test_snooze_silences_even_escalations_until_it_ends() -> None:
    store = FakeStore()
    handlers = EventHandlers(store.uow, Thresholds(), ManualClock(NOW))
    spend = {"warning": "900", "critical": "1000"}

    def budget(level: str, seconds: float) -> object:
        return sync_completed(
            at(seconds), campaigns=[campaign(lifetime=spend[level], campaign_id=SUMMER)]
        )

    await handlers.sync_completed(budget("warning", 0))  # type: ignore[arg-type]
    [raised] = store.events()
    assert isinstance(raised, AlertRaised)
    await AlertCommands(store.uow).apply(
        _command(raised.alert_id, AlertAction.SNOOZE, 5, until=at(100))
    )
    await handlers.sync_completed(budget("critical", 50))  # type: ignore[arg-type]
    assert len(store.events()) == 1  # escalated, silently
    [alert] = store.open_alerts()
    assert alert.severity == "critical" and alert.snoozed_until == at(100)

    await handlers.sync_completed(budget("warning", 150))  # type: ignore[arg-type]
    await handlers.sync_completed(budget("critical", 200))  # type: ignore[arg-type]
    announced = store.events()[1:]
    assert [type(event) for event in announced] == [AlertRaised]  # the escalation after
    assert isinstance(announced[0], AlertRaised) and announced[0].escalated


async def test_resolve_closes_the_alert_and_announces_it() -> None:
    store = FakeStore()
    alert_id = await _failure_alert(store)
    command = _command(alert_id, AlertAction.RESOLVE, 10)
    await AlertCommands(store.uow).apply(command)

    assert store.open_alerts() == []
    resolved = store.events(AlertResolved)
    assert [(e.alert_id, e.correlation_id) for e in resolved] == [  # type: ignore[attr-defined]
        (alert_id, command.correlation_id)
    ]


async def test_commands_about_other_orgs_or_closed_alerts_change_nothing() -> None:
    store = FakeStore()
    alert_id = await _failure_alert(store)
    foreign = _command(alert_id, AlertAction.RESOLVE, 10).model_copy(
        update={"org_id": uuid.uuid4()}
    )
    await AlertCommands(store.uow).apply(foreign)
    ended = _command(alert_id, AlertAction.SNOOZE, 10, until=at(5))  # already over
    await AlertCommands(store.uow).apply(ended)

    assert len(store.open_alerts()) == 1
    assert [action for _, action, _ in store.state.alerts.history] == ["raised"]
