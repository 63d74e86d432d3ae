"""How long finished records are kept. Inbox rows must outlive any redelivery of their
event (hours at most), so 30 days is a wide margin; runs and attempts feed the status and
statistics views (90 days of history); a finished retry entry only explains a past run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RetentionPolicy:
    processed_events: timedelta = timedelta(days=30)
    sync_runs: timedelta = timedelta(days=90)  # terminal runs; their attempts go with them
    retry_entries: timedelta = timedelta(days=90)  # dispatched (finished) entries only


@dataclass(frozen=True)
class Cutoffs:
    processed_events: datetime
    sync_runs: datetime
    retry_entries: datetime


def cutoffs(policy: RetentionPolicy, now: datetime) -> Cutoffs:
    """Rows older than these go."""
    return Cutoffs(
        now - policy.processed_events, now - policy.sync_runs, now - policy.retry_entries
    )
