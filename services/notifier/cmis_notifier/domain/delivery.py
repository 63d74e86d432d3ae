"""What a delivery attempt leads to: delivered, retried after a capped exponential pause, or
given up; and when a channel that keeps failing is disabled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from cmis_shared.backoff import backoff_seconds


class DeliveryState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    DELIVERED = "delivered"
    FAILED = "failed"


@dataclass(frozen=True)
class AttemptResult:
    """One attempt, as the sender saw it; ``error`` never holds a URL or secret."""

    ok: bool
    latency_ms: int
    response_code: int | None = None
    reason: str | None = None  # http_500, http_404, timeout, connect_error, smtp_error...
    error: str | None = None


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    initial: timedelta
    maximum: timedelta
    disable_after_failures: int  # consecutive failed attempts of a channel


@dataclass(frozen=True)
class NextStep:
    state: DeliveryState
    next_attempt_at: datetime | None


def after_attempt(
    result: AttemptResult, attempts: int, policy: RetryPolicy, now: datetime
) -> NextStep:
    """``attempts`` counts this one."""
    if result.ok:
        return NextStep(DeliveryState.DELIVERED, None)
    if attempts >= policy.max_attempts:
        return NextStep(DeliveryState.FAILED, None)
    pause = backoff_seconds(
        attempts, policy.initial.total_seconds(), policy.maximum.total_seconds()
    )
    return NextStep(DeliveryState.PENDING, now + timedelta(seconds=pause))


def should_disable(consecutive_failures: int, policy: RetryPolicy) -> bool:
    return consecutive_failures >= policy.disable_after_failures
