"""Which active runs are stuck: queued or running for longer than any sync should take.

A request lost on the broker or parked in a dead-letter queue leaves its run ``queued``
forever; a worker killed in a way its redelivery never resumes leaves it ``running``. Either
way the active-run index then blocks every later run of that integration and data type, so
such a run is ended as a ``timeout`` failure and the retry policy takes over.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from cmis_shared.events import DataType, Platform, SyncTrigger
from cmis_shared.statuses import RunStatus


@dataclass(frozen=True)
class StuckLimits:
    queued: timedelta = timedelta(minutes=30)
    running: Mapping[DataType, timedelta] = field(
        default_factory=lambda: {
            DataType.METRICS: timedelta(minutes=20),
            DataType.POSTS: timedelta(minutes=20),
            DataType.CAMPAIGNS: timedelta(minutes=30),
            DataType.ALL: timedelta(minutes=45),
        }
    )
    running_default: timedelta = timedelta(minutes=45)

    def limit(self, status: RunStatus, data_type: DataType) -> timedelta:
        if status is RunStatus.QUEUED:
            return self.queued
        return self.running.get(data_type, self.running_default)

    def shortest(self) -> timedelta:
        return min([self.queued, self.running_default, *self.running.values()])


@dataclass(frozen=True)
class ActiveRun:
    run_id: UUID
    org_id: UUID
    integration_id: UUID
    platform: Platform
    data_type: DataType
    trigger: SyncTrigger
    correlation_id: UUID
    status: RunStatus
    attempt: int
    since: datetime  # queued: requested or re-queued for this attempt; running: started


def is_stuck(run: ActiveRun, now: datetime, limits: StuckLimits) -> bool:
    return run.status.is_active and now - run.since > limits.limit(run.status, run.data_type)


def stuck_runs(runs: Sequence[ActiveRun], now: datetime, limits: StuckLimits) -> list[ActiveRun]:
    return [run for run in runs if is_stuck(run, now, limits)]


def timeout_message(run: ActiveRun, limits: StuckLimits) -> str:
    minutes = limits.limit(run.status, run.data_type).total_seconds() / 60
    return f"run {run.status.value} for more than {minutes:g} min (request lost or worker gone)"
