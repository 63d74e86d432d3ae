"""A user's acknowledge, snooze or resolve: published as an ``alerting.command`` event in the
API's outbox for the alerting service, the alerts' only writer, to apply (and to stay silent
about the alert afterwards). The API checks only that the alert is the organization's and
still open."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from cmis_dashboard_api.ports import UnitOfWork
from cmis_shared.events import AlertAction, AlertCommand
from cmis_shared.statuses import AlertStatus


class AlertNotFoundError(LookupError):
    """No such alert in the organization."""


class AlertClosedError(ValueError):
    """The alert is resolved: there is nothing left to acknowledge, snooze or resolve."""


@dataclass(frozen=True)
class RequestAlertAction:
    org_id: UUID
    alert_id: UUID
    action: AlertAction
    requested_by: str
    snoozed_until: datetime | None = None


async def request_alert_action(request: RequestAlertAction, uow: UnitOfWork) -> AlertCommand:
    async with uow:
        status = await uow.alerts.status(request.org_id, request.alert_id)
        if status is None:
            raise AlertNotFoundError(str(request.alert_id))
        if status != AlertStatus.OPEN:
            raise AlertClosedError(str(request.alert_id))
        command = AlertCommand(
            org_id=request.org_id,
            alert_id=request.alert_id,
            action=request.action,
            snoozed_until=request.snoozed_until,
            requested_by=request.requested_by,
        )
        await uow.publish(command)
        await uow.commit()
    return command
