"""Backfill windows, decided without I/O: which pending windows go out now (a few per
integration, within the platform's room), and how a window's outcome moves its backfill.

A window is one ``sync.requested`` (trigger ``backfill``) for one integration, data type and
date range. Each integration has at most ``per_integration`` windows in flight, so a year of
history trickles out beside the schedule instead of flooding the worker queue; the platform's
rate budget (shared with scheduled syncs and retries, which take their share first) caps the
total.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from uuid import UUID

from cmis_shared.events import BackfillStatus, DataType, Platform
from cmis_shared.statuses import WindowStatus


@dataclass(frozen=True)
class PendingWindow:
    id: UUID
    backfill_id: UUID
    org_id: UUID
    integration_id: UUID
    platform: Platform
    data_type: DataType
    window_start: date
    window_end: date
    attempt: int  # attempts made so far (0 before the first dispatch)
    correlation_id: UUID
    requested_by: str


def choose(
    pending: Sequence[PendingWindow],
    in_flight: Mapping[UUID, int],
    per_integration: int,
    room: int,
) -> list[PendingWindow]:
    """In the order given (oldest backfill first, newest days first), at most ``room``
    windows, and per integration no more than ``per_integration`` in flight with them."""
    chosen: list[PendingWindow] = []
    taken: dict[UUID, int] = {}
    for window in pending:
        if len(chosen) >= room:
            break
        flying = in_flight.get(window.integration_id, 0) + taken.get(window.integration_id, 0)
        if flying >= per_integration:
            continue
        taken[window.integration_id] = taken.get(window.integration_id, 0) + 1
        chosen.append(window)
    return chosen


@dataclass(frozen=True)
class Progress:
    """A backfill's counts. Every window ends exactly once as done, failed or cancelled."""

    status: BackfillStatus
    windows_total: int
    windows_done: int = 0
    windows_failed: int = 0
    windows_cancelled: int = 0
    rows_stored: int = 0

    @property
    def windows_finished(self) -> int:
        return self.windows_done + self.windows_failed + self.windows_cancelled


def settle(progress: Progress) -> Progress:
    """A running backfill whose windows have all ended is completed, with failures if some
    failed, or cancelled if some could not run (their account was disconnected)."""
    if progress.status is not BackfillStatus.RUNNING:
        return progress
    if progress.windows_finished < progress.windows_total:
        return progress
    if progress.windows_failed:
        status = BackfillStatus.COMPLETED_WITH_FAILURES
    elif progress.windows_cancelled:
        status = BackfillStatus.CANCELLED
    else:
        status = BackfillStatus.COMPLETED
    return replace(progress, status=status)


def window_done(progress: Progress, rows: int) -> Progress:
    return settle(
        replace(
            progress,
            windows_done=progress.windows_done + 1,
            rows_stored=progress.rows_stored + max(rows, 0),
        )
    )


def window_failed(progress: Progress) -> Progress:
    return settle(replace(progress, windows_failed=progress.windows_failed + 1))


def window_cancelled(progress: Progress, windows: int = 1) -> Progress:
    return settle(replace(progress, windows_cancelled=progress.windows_cancelled + windows))


@dataclass(frozen=True)
class FailedWindow:
    """What happens to a window whose attempt failed."""

    retry_at: datetime | None  # None: the window has failed for good (or is cancelled)
    cancelled: bool = False


def after_failure(
    status: BackfillStatus, will_retry: bool, next_attempt_at: datetime | None, now: datetime
) -> FailedWindow:
    """A retryable failure goes back to pending for its next attempt (the worker's retry
    policy decided ``will_retry``); a cancelled backfill does not try again."""
    if status is BackfillStatus.CANCELLED:
        return FailedWindow(retry_at=None, cancelled=True)
    if will_retry:
        return FailedWindow(retry_at=next_attempt_at or now)
    return FailedWindow(retry_at=None)


@dataclass(frozen=True)
class BackfillCounts:
    """A backfill (locked) with its counts as they stand."""

    backfill_id: UUID
    org_id: UUID
    correlation_id: UUID
    progress: Progress


@dataclass(frozen=True)
class WindowOfRun:
    """The window a finished run was sent for, with its backfill's counts as they stand."""

    window_id: UUID
    window_status: WindowStatus
    data_type: DataType
    backfill_id: UUID
    org_id: UUID
    correlation_id: UUID
    progress: Progress
