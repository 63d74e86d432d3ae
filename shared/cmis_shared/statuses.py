"""Status values stored in the shared tables, one enum per column, used instead of literals.

``IntegrationStatus`` travels in events, so it is defined with the contracts in
:mod:`cmis_shared.events` and re-exported here with the others.
"""

from __future__ import annotations

from enum import StrEnum

from cmis_shared.events import BackfillStatus, IntegrationStatus


class RunStatus(StrEnum):
    """``sync_runs.status``: queued and running are the active states (one per integration
    and data type, by the partial unique index ``uq_sync_runs_active``)."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCESS = "success"
    FAILED = "failed"
    RETRYING = "retrying"

    @property
    def is_active(self) -> bool:
        return self in (RunStatus.QUEUED, RunStatus.RUNNING)


class AlertStatus(StrEnum):
    """``alerts.status``: one open alert per (org, type, subject)."""

    OPEN = "open"
    RESOLVED = "resolved"


class WindowStatus(StrEnum):
    """``backfill_windows.status``: pending and dispatched windows still cover their days
    (a new request does not add them again), as do done ones; failed and cancelled ones
    leave their days open."""

    PENDING = "pending"
    DISPATCHED = "dispatched"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


ACTIVE_RUN_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)
COVERING_WINDOW_STATUSES = (WindowStatus.PENDING, WindowStatus.DISPATCHED, WindowStatus.DONE)

__all__ = [
    "ACTIVE_RUN_STATUSES",
    "COVERING_WINDOW_STATUSES",
    "AlertStatus",
    "BackfillStatus",
    "IntegrationStatus",
    "RunStatus",
    "WindowStatus",
]
