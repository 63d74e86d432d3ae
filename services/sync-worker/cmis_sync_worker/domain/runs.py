"""Run and attempt state: what a delivered request means given what the database holds.

Requests arrive at least once and not necessarily in order, so the worker compares the
request's attempt number with the run's and looks at the attempt row, instead of trusting
that a delivery is new.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from cmis_shared.events import IntegrationStatus, SyncTrigger
from cmis_shared.statuses import RunStatus
from cmis_sync_worker.domain.failures import Failure

__all__ = ["FinishedAttempt", "InboxKey", "RunSnapshot", "RunStatus", "StartDecision"]


@dataclass(frozen=True)
class InboxKey:
    """A delivered request as the inbox records it: processed once per consumer."""

    consumer: str
    event_id: UUID


@dataclass(frozen=True)
class FinishedAttempt:
    """How one attempt of a run ended, recorded with the inbox claim of its request in one
    statement: ``failure`` None means success; ``synced_integration_id`` is set on success."""

    run_id: UUID
    attempt: int
    request: InboxKey
    started_at: datetime
    finished_at: datetime
    status: RunStatus
    failure: Failure | None = None
    next_attempt_at: datetime | None = None
    counts: Mapping[str, int] = field(default_factory=dict)
    synced_integration_id: UUID | None = None


class StartDecision(StrEnum):
    START = "start"  # a new attempt: record it, emit sync.started
    RESUME = "resume"  # its worker died mid-sync: run it again, no second sync.started
    ALREADY_FINISHED = "already_finished"  # a redelivery: ack, no effect
    STALE = "stale"  # a newer attempt of the run exists: ack, no effect
    UNKNOWN_RUN = "unknown_run"  # no run row: the requester broke the contract


@dataclass(frozen=True)
class RunSnapshot:
    status: RunStatus
    attempt: int
    attempt_recorded: bool  # a sync_attempts row exists for the requested attempt
    attempt_finished: bool


def decide_start(run: RunSnapshot | None, requested_attempt: int) -> StartDecision:
    if run is None:
        return StartDecision.UNKNOWN_RUN
    if run.attempt_finished:
        return StartDecision.ALREADY_FINISHED
    if run.attempt > requested_attempt:
        return StartDecision.STALE
    if run.attempt_recorded:
        return StartDecision.RESUME
    if run.attempt == requested_attempt and run.status in (RunStatus.SUCCESS, RunStatus.FAILED):
        return StartDecision.ALREADY_FINISHED
    return StartDecision.START


def run_status_after(success: bool, will_retry: bool) -> RunStatus:
    if success:
        return RunStatus.SUCCESS
    return RunStatus.RETRYING if will_retry else RunStatus.FAILED


@dataclass(frozen=True)
class IntegrationState:
    status: IntegrationStatus


def unavailable_reason(integration: IntegrationState | None, trigger: SyncTrigger) -> str | None:
    """Why this integration must not be synced now, or None. A paused integration is
    skipped by schedules but a manual trigger (and its retries) may resume it."""
    if integration is None:
        return "integration not found"
    if integration.status is IntegrationStatus.DISCONNECTED:
        return "integration is disconnected"
    if integration.status is IntegrationStatus.PAUSED and trigger is SyncTrigger.SCHEDULED:
        return "integration is paused"
    return None
