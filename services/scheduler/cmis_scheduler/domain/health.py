"""Connection health: when final sync failures mean an integration should be paused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from cmis_shared.events import IntegrationStatus

PAUSE_REASON = "consecutive_failures"


@dataclass(frozen=True)
class HealthPolicy:
    max_failures: int = 5
    min_span: timedelta = timedelta(days=1)


def should_pause(
    policy: HealthPolicy, failures: int, first_failure_at: datetime | None, now: datetime
) -> bool:
    """``max_failures`` final failures in a row, the first at least ``min_span`` ago: a few
    bad hours do not pause anything, a day of nothing but failures does."""
    if failures < policy.max_failures or first_failure_at is None:
        return False
    return now - first_failure_at >= policy.min_span


def pause_message(failures: int) -> str:
    return f"{PAUSE_REASON}: {failures} final sync failures in a row"


def is_health_pause(status: str, status_reason: str | None) -> bool:
    """Paused by this policy (not by a person): a successful sync may resume it."""
    return status == IntegrationStatus.PAUSED and (status_reason or "").startswith(PAUSE_REASON)
