"""The events an attempt emits: one ``sync.started``, then exactly one ``sync.completed`` or
``sync.failed``, all carrying the request's run, attempt and correlation id."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from cmis_shared.api_versions import ApiVersion
from cmis_shared.events import (
    CampaignFact,
    ContentTotals,
    PostFact,
    SyncCompleted,
    SyncFailed,
    SyncRequested,
    SyncStarted,
)
from cmis_sync_worker.domain.failures import Failure
from cmis_sync_worker.domain.retry import RetryDecision


@dataclass(frozen=True)
class SyncSummary:
    """What a successful attempt stored, and the facts read back after storing it."""

    counts: dict[str, int]
    range_start: date | None = None
    range_end: date | None = None
    currency: str | None = None
    token_expires_at: datetime | None = None
    token_refreshable: bool = False
    campaigns: list[CampaignFact] = field(default_factory=list)
    content_last_30_days: ContentTotals | None = None
    recent_posts: list[PostFact] = field(default_factory=list)
    api_version: ApiVersion | None = None


def _same_run(request: SyncRequested) -> dict[str, Any]:
    return {
        "org_id": request.org_id,
        "correlation_id": request.correlation_id,
        "run_id": request.run_id,
        "integration_id": request.integration_id,
        "platform": request.platform,
        "data_type": request.data_type,
        "trigger": request.trigger,
        "attempt": request.attempt,
    }


def started_event(request: SyncRequested, started_at: datetime) -> SyncStarted:
    return SyncStarted(**_same_run(request), started_at=started_at, occurred_at=started_at)


def completed_event(
    request: SyncRequested, summary: SyncSummary, started_at: datetime, finished_at: datetime
) -> SyncCompleted:
    return SyncCompleted(
        **_same_run(request),
        occurred_at=finished_at,
        started_at=started_at,
        finished_at=finished_at,
        duration_ms=max(0, int((finished_at - started_at).total_seconds() * 1000)),
        counts=summary.counts,
        range_start=summary.range_start,
        range_end=summary.range_end,
        currency=summary.currency,
        token_expires_at=summary.token_expires_at,
        token_refreshable=summary.token_refreshable,
        campaigns=summary.campaigns,
        content_last_30_days=summary.content_last_30_days,
        recent_posts=summary.recent_posts,
        api_version=summary.api_version.version if summary.api_version else None,
        api_sunset_on=summary.api_version.sunset_on if summary.api_version else None,
    )


def failed_event(
    request: SyncRequested,
    failure: Failure,
    decision: RetryDecision,
    max_attempts: int,
    finished_at: datetime,
) -> SyncFailed:
    return SyncFailed(
        **_same_run(request),
        occurred_at=finished_at,
        error_class=failure.error_class,
        message=failure.message,
        retryable=failure.retryable,
        will_retry=decision.will_retry,
        next_attempt_at=decision.next_attempt_at,
        max_attempts=max_attempts,
    )
