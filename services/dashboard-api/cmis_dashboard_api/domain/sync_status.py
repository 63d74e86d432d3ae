"""How per-(integration, data type) sync states fold into one status per integration and one
summary per organization. Shared by the materialized view and the sync status route."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

PENDING, SYNCING, SUCCESS, FAILED = "pending", "syncing", "success", "failed"
SYNC_STATUSES = (PENDING, SYNCING, SUCCESS, FAILED)

# sync_runs.status -> what the API shows. A run waiting for its retry failed its last attempt.
RUN_STATUS_TO_SYNC = {
    "queued": PENDING,
    "running": SYNCING,
    "success": SUCCESS,
    "failed": FAILED,
    "retrying": FAILED,
}


def sync_status_of_run(run_status: str | None) -> str:
    return RUN_STATUS_TO_SYNC.get(run_status or "", PENDING)


def integration_status(lane_statuses: Iterable[str]) -> str:
    """Syncing wins (something is happening now), then a failure, then a waiting request;
    an integration never synced is pending."""
    statuses = set(lane_statuses)
    for status in (SYNCING, FAILED, PENDING):
        if status in statuses:
            return status
    return SUCCESS if statuses else PENDING


def sync_summary(
    status_by_integration: Mapping[str, str], last_sync: datetime | None
) -> dict[str, object]:
    counts = dict.fromkeys(SYNC_STATUSES, 0)
    for status in status_by_integration.values():
        counts[status] += 1
    return {
        "total": len(status_by_integration),
        "syncing": counts[SYNCING],
        "success": counts[SUCCESS],
        "failed": counts[FAILED],
        "pending": counts[PENDING],
        "last_sync": last_sync,
    }


def latest(times: Iterable[datetime | None]) -> datetime | None:
    present = [time for time in times if time is not None]
    return max(present) if present else None
