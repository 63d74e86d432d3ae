"""The live stream's event schema, written once: the OpenAPI text is rendered from it and a
test checks every message :func:`live_message` builds against it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EventShape:
    meaning: str
    fields: tuple[str, ...]  # always in ``data``
    optional: tuple[str, ...] = ()  # present when they apply


_CAUSE = ("event_type", "occurred_at")
EVENT_SHAPES: dict[str, EventShape] = {
    "ready": EventShape("The stream is open; its id is where it starts.", ("type",)),
    "reset": EventShape(
        "The events since `Last-Event-ID` are no longer buffered (or the id is unknown): "
        "reload the dashboard, then keep reading.",
        ("type", "reason"),
    ),
    "sync_status": EventShape(
        "A sync was requested, started, completed or failed.",
        (
            "type",
            "section",
            *_CAUSE,
            "integration_id",
            "platform",
            "data_type",
            "run_id",
            "attempt",
            "status",
        ),
        ("error_class", "will_retry", "next_attempt_at"),
    ),
    "alert": EventShape(
        "An alert was raised (`open: true`) or resolved.",
        (
            "type",
            "section",
            *_CAUSE,
            "id",
            "alert_type",
            "severity",
            "message",
            "subject_type",
            "subject_id",
            "open",
        ),
    ),
    "backfill": EventShape(
        "A backfill's progress: a window finished or failed, or it was requested or "
        "cancelled (`section` is `backfills`).",
        (
            "type",
            "section",
            *_CAUSE,
            "backfill_id",
            "status",
            "windows_total",
            "windows_done",
            "windows_failed",
            "windows_cancelled",
            "rows_stored",
        ),
    ),
    "dashboard": EventShape(
        "Figures, accounts or plans changed (`section` says which): re-read the dashboard.",
        ("type", "section"),
        (*_CAUSE, "integration_id", "status"),
    ),
}


def _table() -> str:
    rows = ["| event | meaning | `data` fields |", "|---|---|---|"]
    for kind, shape in EVENT_SHAPES.items():
        fields = ", ".join(f"`{name}`" for name in shape.fields)
        if shape.optional:
            fields += "; when they apply: " + ", ".join(f"`{name}`" for name in shape.optional)
        rows.append(f"| `{kind}` | {shape.meaning} | {fields} |")
    return "\n".join(rows)


EVENTS_DESCRIPTION = f"""A `text/event-stream` of the organization's changes. Each event has
an `event:` name, an `id:` and one `data:` line holding a JSON object whose `type` repeats
the name. Comment lines (`: ping`) keep the connection alive.

{_table()}

**Authentication.** Either `Authorization: Bearer <token>`, or, from a browser's
`EventSource` (which cannot send headers), `?ticket=` with a single-use ticket from
`POST /api/orgs/{{org_id}}/live/tickets`. Never put a token in the URL.

**Resuming.** Send the last `id` you received as `Last-Event-ID` (`EventSource` does on its
own reconnect), or as `lastEventId` in the query beside a new ticket: the events you missed
follow `ready`, each exactly once. The server keeps about the last 1,000 events per
organization for an hour of quiet; older than that, you get `reset`.

The stream ends when the token is revoked or expires, or the user leaves the organization."""

EVENTS_EXAMPLE = (
    'id: 1705329000000-0\nevent: ready\ndata: {"type":"ready"}\n\n'
    'id: 1705329000512-0\nevent: sync_status\ndata: {"type":"sync_status",'
    '"section":"sync_status","event_type":"sync.started","occurred_at":"2024-01-15T14:30:00Z",'
    '"integration_id":"0b7e3c9a-2d4f-4e61-8f0a-5c2d9e1b3a47","platform":"google",'
    '"data_type":"metrics","run_id":"c3a1e5f7-9b2d-4f68-a0c4-e6b8d2f4a1c9","attempt":1,'
    '"status":"syncing"}\n\n'
    'id: 1705329009140-0\nevent: dashboard\ndata: {"type":"dashboard","section":"figures",'
    '"event_type":"sync.completed","occurred_at":"2024-01-15T14:30:09Z"}\n\n'
)
