"""What a notification says, from one source: the webhook body (a stable, versioned JSON
schema, documented in the README), from which the Slack text and the e-mail are rendered.

The body is built once, when the group is flushed, and stored with the notification: a
retry sends the same bytes (only the signature's timestamp is new)."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote
from uuid import UUID

from cmis_notifier.domain.grouping import NotificationKind

SCHEMA = "cmis.notification"
SCHEMA_VERSION = 1
SEVERITY_MARK = {"critical": ":red_circle:", "warning": ":large_yellow_circle:"}


def alert_item(event: Mapping[str, Any], status: str) -> dict[str, Any]:
    """An alert event's fields as they appear in ``alerts[]`` of the body."""
    return {
        "alert_id": str(event["alert_id"]),
        "alert_type": str(event["alert_type"]),
        "status": status,  # firing | resolved
        "severity": str(event["severity"]),
        "subject_type": str(event["subject_type"]),
        "subject_id": str(event["subject_id"]),
        "message": str(event["message"]),
        "details": dict(event.get("details") or {}),
        "occurrences": int(event.get("occurrences", 1)),
        "occurred_at": str(event["occurred_at"]),
        "reason": event.get("reason"),
    }


def build_body(
    *,
    notification_id: UUID,
    kind: NotificationKind,
    org_id: UUID | None,
    channel_id: UUID,
    created_at: datetime,
    alert_type: str,
    alerts: Sequence[Mapping[str, Any]],
    web_base_url: str,
) -> dict[str, Any]:
    """The webhook body (schema ``cmis.notification`` version 1)."""
    firing = sum(1 for a in alerts if a["status"] == "firing")
    link = alerts_link(web_base_url, org_id)
    return {
        "schema": SCHEMA,
        "version": SCHEMA_VERSION,
        "notification_id": str(notification_id),
        "idempotency_key": str(notification_id),
        "kind": str(kind),
        "org_id": None if org_id is None else str(org_id),
        "channel_id": str(channel_id),
        "created_at": created_at.isoformat(),
        "group": {"alert_type": alert_type, "firing": firing, "resolved": len(alerts) - firing},
        "title": title(kind, alert_type, alerts),
        "url": link,
        "alerts": [{**a, "url": alerts_link(web_base_url, org_id, a["alert_id"])} for a in alerts],
    }


def alerts_link(web_base_url: str, org_id: UUID | None, alert_id: str | UUID | None = None) -> str:
    """The web dashboard's alerts page (its hash routes: services/web/src/links.ts), in the
    organization and with the alert picked out when given. System alerts (no organization)
    have no page of their own: their link is the alerts page of whoever opens it."""
    base = web_base_url.rstrip("/")
    page = f"{base}/#/orgs/{org_id}/alerts" if org_id is not None else f"{base}/#/alerts"
    return page if alert_id is None else f"{page}?alert={quote(str(alert_id), safe='')}"


def title(kind: NotificationKind, alert_type: str, alerts: Sequence[Mapping[str, Any]]) -> str:
    label = alert_type.replace("_", " ")
    count = len(alerts)
    noun = "alert" if count == 1 else "alerts"
    if kind is NotificationKind.TEST:
        return "Test notification from CMIS"
    if kind is NotificationKind.RESOLVED:
        return f"Resolved: {count} {label} {noun}"
    worst = "critical" if any(a["severity"] == "critical" for a in alerts) else "warning"
    again = " (still firing)" if kind is NotificationKind.REPEAT else ""
    return f"[{worst.upper()}] {count} {label} {noun}{again}"


def _line(alert: Mapping[str, Any]) -> str:
    if alert["status"] == "resolved":
        return f"RESOLVED {alert['message']} ({alert.get('reason') or 'cleared'})"
    return f"{str(alert['severity']).upper()} {alert['message']}"


def slack_message(body: Mapping[str, Any]) -> dict[str, Any]:
    """A Slack-compatible incoming-webhook payload: readable text with severity, subject and
    a link back (``<url|label>`` is Slack's link syntax)."""
    lines = [f"*{body['title']}*"]
    for alert in body["alerts"]:
        mark = (
            ":white_check_mark:"
            if alert["status"] == "resolved"
            else SEVERITY_MARK.get(alert["severity"], "")
        )
        lines.append(f"{mark} {_line(alert)} <{alert['url']}|open>")
    return {"text": "\n".join(lines)}


@dataclass(frozen=True)
class EmailContent:
    subject: str
    text: str
    html: str


def email_content(body: Mapping[str, Any]) -> EmailContent:
    """Plain text and HTML with the same content."""
    text_lines = [str(body["title"]), ""]
    items = []
    for alert in body["alerts"]:
        text_lines.append(f"- {_line(alert)}\n  {alert['url']}")
        items.append(
            f"<li><strong>{html.escape(str(alert['severity']).upper())}</strong> "
            f"{html.escape(_line(alert))} "
            f'<a href="{html.escape(alert["url"], quote=True)}">open</a></li>'
        )
    text_lines += ["", f"All alerts: {body['url']}", f"Notification id: {body['notification_id']}"]
    html_body = (
        f"<h2>{html.escape(str(body['title']))}</h2><ul>{''.join(items)}</ul>"
        f'<p><a href="{html.escape(str(body["url"]), quote=True)}">All alerts</a></p>'
        f"<p><small>Notification id: {html.escape(str(body['notification_id']))}</small></p>"
    )
    return EmailContent(f"[CMIS] {body['title']}", "\n".join(text_lines), html_body)


def sample_alert(now: datetime, org_id: UUID | None) -> dict[str, Any]:
    """The alert a channel test sends: clearly a sample, in the real schema."""
    return {
        "alert_id": "00000000-0000-0000-0000-000000000000",
        "alert_type": "budget",
        "status": "firing",
        "severity": "warning",
        "subject_type": "campaign",
        "subject_id": "00000000-0000-0000-0000-000000000000",
        "message": "This is a test notification: your channel works.",
        "details": {"sample": True, "org_id": None if org_id is None else str(org_id)},
        "occurrences": 1,
        "occurred_at": now.isoformat(),
        "reason": None,
    }
