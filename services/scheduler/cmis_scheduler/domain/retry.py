"""Retries seen from the scheduler: whether a due retry entry still stands for its run, and
the retry decision for a run the scheduler itself ends (a stuck run timing out)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from cmis_shared.events import DataType, Platform
from cmis_shared.statuses import RunStatus


@dataclass(frozen=True)
class DueRetry:
    """A due retry entry with the state of its run."""

    id: UUID
    run_id: UUID
    org_id: UUID
    integration_id: UUID
    platform: Platform
    data_type: DataType
    attempt: int
    correlation_id: UUID
    run_status: str
    run_attempt: int


def retry_is_current(run_status: str, run_attempt: int, retry_attempt: int) -> bool:
    """The run is still waiting for exactly this retry. Anything else (it succeeded, failed
    for good, or a later attempt already went out) makes the entry stale: events arrive out
    of order and more than once, so the run row decides, not the entry."""
    return run_status == RunStatus.RETRYING and run_attempt < retry_attempt


@dataclass(frozen=True)
class RetryDecision:
    will_retry: bool
    next_attempt_at: datetime | None = None

    @property
    def run_status(self) -> RunStatus:
        return RunStatus.RETRYING if self.will_retry else RunStatus.FAILED


@dataclass(frozen=True)
class TimeoutRetryPolicy:
    """The worker's policy for a retryable failure (a timeout is one): attempt ``n`` waits
    ``backoff[n - 1]`` (the last value repeats), nothing retries after ``max_attempts``. The
    same settings (``CMIS_RETRY_BACKOFF_SECONDS``, ``CMIS_MAX_ATTEMPTS``) configure both."""

    backoff_seconds: Sequence[float] = (60.0, 300.0, 900.0)
    max_attempts: int = 3

    def decide(self, attempt: int, now: datetime) -> RetryDecision:
        if attempt >= self.max_attempts:
            return RetryDecision(will_retry=False)
        delay = self.backoff_seconds[min(attempt, len(self.backoff_seconds)) - 1]
        return RetryDecision(True, now + timedelta(seconds=delay))
