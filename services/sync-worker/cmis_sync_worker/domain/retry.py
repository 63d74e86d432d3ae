"""The retry policy: which failures are tried again, and when.

Backoff [60, 300, 900] s by default: attempt ``n`` waits ``backoff[n - 1]`` (the last value
repeats if attempts outnumber it), or longer when the platform asked for longer
(Retry-After). Only retryable failures retry (rate limits, 5xx, timeouts); auth errors and
bad requests do not, and nothing retries after ``max_attempts``. The scheduler does the
waiting; this only says when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from cmis_sync_worker.domain.failures import Failure


@dataclass(frozen=True)
class RetryDecision:
    will_retry: bool
    next_attempt_at: datetime | None = None


@dataclass(frozen=True)
class RetryPolicy:
    backoff_seconds: tuple[float, ...] = (60.0, 300.0, 900.0)
    max_attempts: int = 3

    def __post_init__(self) -> None:
        if not self.backoff_seconds or self.max_attempts < 1:
            raise ValueError("a retry policy needs a backoff and at least one attempt")

    def delay_after(self, attempt: int, failure: Failure) -> float:
        scheduled = self.backoff_seconds[min(attempt, len(self.backoff_seconds)) - 1]
        return max(scheduled, failure.retry_after_seconds or 0.0)

    def decide(self, failure: Failure, attempt: int, now: datetime) -> RetryDecision:
        if not failure.retryable or attempt >= self.max_attempts:
            return RetryDecision(will_retry=False)
        delay = self.delay_after(attempt, failure)
        return RetryDecision(will_retry=True, next_attempt_at=now + timedelta(seconds=delay))
