"""The inbox claim and the outbox insert, written once for both database paths.

Two paths write these rows: the SQLAlchemy unit of work of most handlers
(:class:`cmis_shared.uow.UnitOfWork`, :func:`cmis_shared.outbox.add_events`) and the sync
worker's plain asyncpg unit of work, whose hot path cannot afford a SQLAlchemy round trip.
Both take the statements and the rows from here. The statements use asyncpg's ``$n``
placeholders; :func:`named` gives the SQLAlchemy ``text`` form of the same SQL.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable

import orjson
from opentelemetry import propagate
from sqlalchemy import TextClause, text

from cmis_shared.events import Event
from cmis_shared.topology import event_routing_key

OutboxRow = tuple[uuid.UUID, str, bytes, str, str, int]


def claim_event_sql(consumer: str, event_id: str) -> str:
    """The inbox claim with the given placeholders: one row back when first seen, none after
    (a fragment of larger statements too, such as the worker's finishing statement)."""
    return (
        f"INSERT INTO processed_events (consumer, event_id) VALUES ({consumer}, {event_id}) "
        "ON CONFLICT DO NOTHING RETURNING 1"
    )


CLAIM_EVENT = claim_event_sql("$1", "$2")

# created_at, lease_token and lease_until take their defaults.
ADD_EVENT = (
    "INSERT INTO outbox (id, routing_key, payload, headers, correlation_id, priority) "
    "VALUES ($1, $2, $3, CAST($4 AS jsonb), $5, $6)"
)

_PLACEHOLDER = re.compile(r"\$(\d+)")


def named(sql: str) -> TextClause:
    """The SQLAlchemy form of a ``$n`` statement: its parameters are ``p1``, ``p2``..."""
    return text(_PLACEHOLDER.sub(r":p\1", sql))


def named_params(row: Iterable[object]) -> dict[str, object]:
    return {f"p{position}": value for position, value in enumerate(row, start=1)}


def outbox_rows(events: Iterable[Event]) -> list[OutboxRow]:
    """The outbox rows of ``events``, carrying the current trace context so the publishing
    span becomes a child of the current one."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    headers = orjson.dumps(carrier).decode()
    return [
        (
            event.event_id,
            event_routing_key(event),
            event.to_json(),
            headers,
            str(event.correlation_id),
            # Unused since every queue is a quorum queue (a sync request's lane is in its
            # routing key); the column stays for rows staged by earlier versions.
            0,
        )
        for event in events
    ]
