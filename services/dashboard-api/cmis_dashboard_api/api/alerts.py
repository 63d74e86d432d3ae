"""Alerts: the organization's open and resolved alerts, each one's history, and a user's
acknowledge, snooze and resolve. The alerting service owns alerts: these commands are
published to it (202) and it applies them; the history shows them once applied."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from cmis_dashboard_api.adapters import alert_queries
from cmis_dashboard_api.adapters.alert_queries import AlertQuery
from cmis_dashboard_api.api import examples
from cmis_dashboard_api.api.deps import CurrentUser, OrgAccess, ServicesDep, SessionDep
from cmis_dashboard_api.api.docs import documented
from cmis_dashboard_api.api.errors import ApiError, not_found
from cmis_dashboard_api.api.paging import CursorParam, Limit, after, invalid_query
from cmis_dashboard_api.api.responses import JSON
from cmis_dashboard_api.domain.charts import alert_entry, cut_page
from cmis_dashboard_api.handlers.alert_commands import (
    AlertClosedError,
    AlertNotFoundError,
    RequestAlertAction,
    request_alert_action,
)
from cmis_dashboard_api.schemas.alerts import (
    AlertCommandAccepted,
    AlertOut,
    AlertPage,
    HistoryPage,
    SnoozeRequest,
)
from cmis_dashboard_api.schemas.data import page
from cmis_dashboard_api.schemas.jsonbytes import dumps
from cmis_shared.clock import system_clock
from cmis_shared.events import AlertAction, AlertType, Severity

router = APIRouter(tags=["alerts"])
AlertId = Annotated[UUID, Path(description="Alert id.")]
PATH = "/orgs/{org_id}/alerts/{alert_id}"
SORT = "last_seen_at:desc"
HISTORY_SORT = "id:asc"
MAX_SNOOZE = timedelta(days=90)


@router.get(
    "/orgs/{org_id}/alerts",
    response_model=AlertPage,
    **documented(
        summary="Alerts",
        description=(
            "The organization's open (default) or resolved alerts, most recently seen first, "
            "filtered by type and severity, paged with `cursor`."
        ),
        response_example=examples.ALERT_PAGE,
        sample_query="status=open&severity=critical",
    ),
)
async def list_alerts(
    org_id: OrgAccess,
    session: SessionDep,
    status: Annotated[Literal["open", "resolved"], Query(description="Open or resolved.")] = "open",
    alert_type: Annotated[
        AlertType | None, Query(alias="type", description="Only this type.")
    ] = None,
    severity: Annotated[Severity | None, Query(description="Only this severity.")] = None,
    limit: Limit = 50,
    cursor: CursorParam = None,
) -> Response:
    query = AlertQuery(
        org_id=org_id,
        status=status,
        alert_type=alert_type,
        severity=severity,
        after=after(cursor, f"{SORT}:{status}", "timestamptz"),
        limit=limit + 1,
    )
    rows, next_cursor = cut_page(
        await alert_queries.alerts(session, query),
        limit,
        f"{SORT}:{status}",
        lambda row: row["last_seen_at"].isoformat(),
    )
    return Response(dumps(page([alert_entry(row) for row in rows], next_cursor)), media_type=JSON)


@router.get(
    PATH,
    response_model=AlertOut,
    **documented(
        summary="One alert",
        description="The alert with its acknowledgement and snooze.",
        response_example=examples.ALERT_OUT,
    ),
)
async def get_alert(org_id: OrgAccess, alert_id: AlertId, session: SessionDep) -> Response:
    row = await alert_queries.alert(session, org_id, alert_id)
    if row is None:
        raise not_found("alert")
    return Response(dumps(alert_entry(row)), media_type=JSON)


@router.get(
    PATH + "/history",
    response_model=HistoryPage,
    **documented(
        summary="An alert's history",
        description=(
            "What happened to the alert, oldest first: raised, escalated, updated, resolved "
            "(by its rule or by a user), acknowledged, snoozed."
        ),
        response_example=examples.ALERT_HISTORY,
    ),
)
async def alert_history(
    org_id: OrgAccess,
    alert_id: AlertId,
    session: SessionDep,
    limit: Limit = 50,
    cursor: CursorParam = None,
) -> Response:
    if await alert_queries.alert(session, org_id, alert_id) is None:
        raise not_found("alert")
    start = after(cursor, HISTORY_SORT, "bigint", "bigint")
    rows, next_cursor = cut_page(
        await alert_queries.history(session, alert_id, int(start.key) if start else 0, limit + 1),
        limit,
        HISTORY_SORT,
        lambda row: str(row["id"]),
    )
    return Response(dumps(page([dict(row) for row in rows], next_cursor)), media_type=JSON)


def _closed() -> ApiError:
    return ApiError(409, "the alert is already resolved")


async def _command(services: ServicesDep, request: RequestAlertAction) -> Response:
    try:
        command = await request_alert_action(request, services.uow())
    except AlertNotFoundError:
        raise not_found("alert") from None
    except AlertClosedError:
        raise _closed() from None
    body = {
        "alert_id": command.alert_id,
        "action": command.action,
        "snoozed_until": command.snoozed_until,
        "command_id": command.event_id,
    }
    return Response(dumps(body), 202, media_type=JSON)


_COMMAND_TEXT = (
    " Accepted (202) and applied by the alerting service moments later; the alert's history "
    "then shows it. A resolved alert answers 409."
)


def _documented_command(
    summary: str, description: str, action: str, body: object = None
) -> dict[str, Any]:
    return documented(
        summary=summary,
        description=description + _COMMAND_TEXT,
        status_code=202,
        request_example=body,
        response_example={**examples.ALERT_COMMAND, "action": action}
        | ({} if action == "snooze" else {"snoozed_until": None}),
        errors=(401, 403, 404, 409, 422),
        response_description="Accepted: the alerting service applies it.",
    )


@router.post(
    PATH + "/snooze",
    response_model=AlertCommandAccepted,
    **_documented_command(
        "Snooze an alert",
        "Acknowledges the alert and silences every change of it but its resolution until "
        "`until` (at most 90 days ahead).",
        "snooze",
        examples.SNOOZE,
    ),
)
async def snooze_alert(
    org_id: OrgAccess,
    alert_id: AlertId,
    body: SnoozeRequest,
    user: CurrentUser,
    services: ServicesDep,
) -> Response:
    now = system_clock()
    if not now < body.until <= now + MAX_SNOOZE:
        raise invalid_query("until", "must be in the future, at most 90 days ahead", "body")
    request = RequestAlertAction(org_id, alert_id, AlertAction.SNOOZE, user.email, body.until)
    return await _command(services, request)


# Acknowledge and resolve take no body: one route each, built alike.
_WITHOUT_BODY = {
    AlertAction.ACKNOWLEDGE: (
        "Acknowledge an alert",
        "Marks the alert as seen: it stays open, and its later updates (one more "
        "occurrence, a lower severity) are recorded without notifications; an escalation "
        "still notifies.",
    ),
    AlertAction.RESOLVE: (
        "Resolve an alert",
        "Closes the alert now (it leaves the dashboard). If its condition still holds, the "
        "next check raises a new alert.",
    ),
}


def _route_without_body(action: AlertAction) -> Callable[..., Awaitable[Response]]:
    async def command(
        org_id: OrgAccess, alert_id: AlertId, user: CurrentUser, services: ServicesDep
    ) -> Response:
        return await _command(services, RequestAlertAction(org_id, alert_id, action, user.email))

    command.__name__ = f"{action}_alert"
    return command


for _action, (_summary, _text) in _WITHOUT_BODY.items():
    router.add_api_route(
        f"{PATH}/{_action}",
        _route_without_body(_action),
        methods=["POST"],
        response_model=AlertCommandAccepted,
        **_documented_command(_summary, _text, str(_action)),
    )
