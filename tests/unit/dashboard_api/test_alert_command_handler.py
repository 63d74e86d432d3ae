"""A user's alert action against in-memory fakes: an open alert of the organization becomes
one ``alerting.command`` in the outbox; a missing, another organization's or a resolved
alert is refused and nothing commits."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from cmis_dashboard_api.handlers.alert_commands import (
    AlertClosedError,
    AlertNotFoundError,
    RequestAlertAction,
    request_alert_action,
)
from cmis_shared.events import AlertAction, AlertCommand
from cmis_shared.statuses import AlertStatus
from tests.unit.dashboard_api.fakes import FakeState, FakeUnitOfWork

pytestmark = pytest.mark.unit

ORG, ALERT = uuid4(), uuid4()
UNTIL = datetime(2024, 1, 3, tzinfo=UTC)


def uow_with(status: AlertStatus) -> FakeUnitOfWork:
    return FakeUnitOfWork(FakeState(alerts={(ORG, ALERT): status}))


def request(org_id: UUID = ORG, action: AlertAction = AlertAction.SNOOZE) -> RequestAlertAction:
    return RequestAlertAction(org_id, ALERT, action, "ana@example.com", UNTIL)


async def test_an_open_alert_gets_one_command_for_alerting_to_apply() -> None:
    uow = uow_with(AlertStatus.OPEN)
    command = await request_alert_action(request(), uow)

    assert uow.commits == 1
    assert uow.committed.published == [command]
    assert isinstance(command, AlertCommand)
    assert (command.org_id, command.alert_id, command.action) == (ORG, ALERT, "snooze")
    assert (command.snoozed_until, command.requested_by) == (UNTIL, "ana@example.com")


async def test_another_organizations_alert_is_missing_and_nothing_is_published() -> None:
    uow = uow_with(AlertStatus.OPEN)
    with pytest.raises(AlertNotFoundError):
        await request_alert_action(request(org_id=uuid4()), uow)
    assert (uow.commits, uow.committed.published) == (0, [])


async def test_a_resolved_alert_cannot_be_acted_on() -> None:
    uow = uow_with(AlertStatus.RESOLVED)
    with pytest.raises(AlertClosedError):
        await request_alert_action(request(action=AlertAction.ACKNOWLEDGE), uow)
    assert (uow.commits, uow.committed.published) == (0, [])
