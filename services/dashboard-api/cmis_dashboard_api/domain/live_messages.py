"""What a live stream is told when an event changed the view (small: the client re-reads
the dashboard for the figures)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any
from uuid import UUID

from cmis_dashboard_api.domain.sync_status import FAILED, PENDING, SUCCESS, SYNCING
from cmis_shared.events import (
    AlertRaised,
    AlertResolved,
    BackfillProgressed,
    Event,
    IntegrationFacts,
    SyncCompleted,
    SyncFailed,
    SyncRequested,
    SyncStarted,
)

BACKFILLS = "backfills"  # the section of a backfill's progress (the view holds none)


class BackfillMarks:
    """The furthest progress told of each recent backfill, so an older ``backfill.progressed``
    that arrives late (the outbox relay and the consumer's prefetch do not keep order) never
    moves a live progress bar back. A backfill's settled windows (done + failed + cancelled)
    only grow, so they order its events. Bounded: the least recently moved are forgotten."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._settled: OrderedDict[UUID, int] = OrderedDict()
        self._capacity = capacity

    def advances(self, event: BackfillProgressed) -> bool:
        settled = event.windows_done + event.windows_failed + event.windows_cancelled
        told = self._settled.get(event.backfill_id)
        if told is not None and settled < told:
            return False
        self._settled[event.backfill_id] = settled
        self._settled.move_to_end(event.backfill_id)
        while len(self._settled) > self._capacity:
            self._settled.popitem(last=False)
        return True


_SYNC_STATUS = {
    SyncRequested: PENDING,
    SyncStarted: SYNCING,
    SyncCompleted: SUCCESS,
    SyncFailed: FAILED,
}


def live_message(event: Event, section: str) -> tuple[str, dict[str, Any]]:
    """(message type, data) for the SSE stream: ``sync_status``, ``alert``, ``backfill`` or
    ``dashboard``."""
    base: dict[str, Any] = {
        "section": section,
        "event_type": event.event_type,
        "occurred_at": event.occurred_at,
    }
    if isinstance(event, SyncRequested | SyncStarted | SyncCompleted | SyncFailed):
        data = {
            **base,
            "integration_id": event.integration_id,
            "platform": event.platform,
            "data_type": event.data_type,
            "run_id": event.run_id,
            "attempt": event.attempt,
            "status": _SYNC_STATUS[type(event)],
        }
        if isinstance(event, SyncFailed):
            data |= {
                "error_class": event.error_class,
                "will_retry": event.will_retry,
                "next_attempt_at": event.next_attempt_at,
            }
        return "sync_status", data
    if isinstance(event, AlertRaised | AlertResolved):
        return "alert", {
            **base,
            "id": event.alert_id,
            "alert_type": event.alert_type,
            "severity": event.severity,
            "message": event.message,
            "subject_type": event.subject_type,
            "subject_id": event.subject_id,
            "open": isinstance(event, AlertRaised),
        }
    if isinstance(event, BackfillProgressed):
        return "backfill", {
            **base,
            "backfill_id": event.backfill_id,
            "status": event.status,
            "windows_total": event.windows_total,
            "windows_done": event.windows_done,
            "windows_failed": event.windows_failed,
            "windows_cancelled": event.windows_cancelled,
            "rows_stored": event.rows_stored,
        }
    if isinstance(event, IntegrationFacts):
        return "dashboard", {**base, "integration_id": event.integration_id, "status": event.status}
    return "dashboard", base
