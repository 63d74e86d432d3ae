"""Ending stuck runs (see :mod:`cmis_scheduler.domain.stuck`) as ``sync.failed`` with error
class ``timeout``, so the retry policy, alerts and the next scheduled slot follow.

Each run is one unit of work: its attempt finished, its status, its retry entry and the
event (outbox). The attempt is finished only if nobody finished it first (a worker that was
slow, not gone): exactly one terminal event per attempt, whoever wins.
"""

from __future__ import annotations

import structlog

from cmis_scheduler.domain.retry import TimeoutRetryPolicy
from cmis_scheduler.domain.stuck import ActiveRun, StuckLimits, stuck_runs, timeout_message
from cmis_scheduler.ports import UnitsOfWork
from cmis_shared.clock import Clock
from cmis_shared.events import ErrorClass, SyncFailed, SyncTrigger

log = structlog.get_logger(__name__)


async def sweep_stuck(
    uows: UnitsOfWork,
    limits: StuckLimits,
    policy: TimeoutRetryPolicy,
    clock: Clock,
    batch_size: int = 500,
) -> int:
    """One pass; returns how many runs it ended."""
    now = clock()
    async with uows() as uow:
        candidates = await uow.runs.active_before(now - limits.shortest(), batch_size)
    ended = 0
    for run in stuck_runs(candidates, now, limits):
        ended += await _time_out(uows, run, limits, policy, clock)
    return ended


async def _time_out(
    uows: UnitsOfWork, run: ActiveRun, limits: StuckLimits, policy: TimeoutRetryPolicy, clock: Clock
) -> int:
    now = clock()
    decision = policy.decide(run.attempt, now)
    message = timeout_message(run, limits)
    async with uows() as uow:
        if not await uow.runs.time_out(run, now, message, decision):
            return 0  # finished meanwhile, moved on, or being handled by a worker right now
        failed = SyncFailed(
            org_id=run.org_id, correlation_id=run.correlation_id, occurred_at=now,
            run_id=run.run_id, integration_id=run.integration_id, platform=run.platform,
            data_type=run.data_type, trigger=run.trigger, attempt=run.attempt,
            error_class=ErrorClass.TIMEOUT, message=message, retryable=True,
            will_retry=decision.will_retry, next_attempt_at=decision.next_attempt_at,
            max_attempts=policy.max_attempts,
        )  # fmt: skip
        # A backfill window is retried as its window (the request carries its dates), when
        # this sync.failed comes back to the scheduler (handlers/backfill_outcomes.py).
        if (
            decision.will_retry
            and decision.next_attempt_at is not None
            and run.trigger is not SyncTrigger.BACKFILL
        ):
            await uow.retries.add(failed, decision.next_attempt_at)
        await uow.publish(failed)
        await uow.commit()
    log.warning(
        "stuck run timed out", run_id=str(run.run_id), status=run.status.value,
        attempt=run.attempt, will_retry=decision.will_retry,
        correlation_id=str(run.correlation_id),
    )  # fmt: skip
    return 1
