"""Due retries over a fake batch: current ones go out within the budget, stale ones are
dropped, and one blocked by another active run waits."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import TracebackType
from uuid import uuid4

import pytest

from cmis_scheduler.domain.budget import MICROS, RateBudget
from cmis_scheduler.domain.retry import DueRetry
from cmis_scheduler.handlers.dispatch_retries import RetryDispatch
from cmis_shared.events import DataType, Platform
from tests.unit.scheduler.fakes import START, FakeClock, FakeLimiter

pytestmark = pytest.mark.unit


class FakeRetryBatch:
    def __init__(self, due: list[DueRetry], blocked: set[int]) -> None:
        self.due, self.blocked = due, blocked
        self.requeued: list[int] = []
        self.stale: list[int] = []
        self.deferred: dict[int, datetime] = {}
        self.committed = False

    async def __aenter__(self) -> FakeRetryBatch:
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    async def claim_due(self, now: datetime, limit: int) -> list[DueRetry]:
        return self.due[:limit]

    async def requeue(self, retry: DueRetry, now: datetime) -> bool:
        if retry.attempt in self.blocked:
            return False
        self.requeued.append(retry.attempt)
        return True

    async def mark_stale(self, retry: DueRetry, now: datetime) -> None:
        self.stale.append(retry.attempt)

    async def defer(self, retry: DueRetry, until: datetime) -> None:
        self.deferred[retry.attempt] = until

    async def commit(self) -> None:
        self.committed = True


def due(attempt: int, run_status: str = "retrying") -> DueRetry:
    return DueRetry(
        id=uuid4(), run_id=uuid4(), org_id=uuid4(), integration_id=uuid4(),
        platform=Platform.GOOGLE, data_type=DataType.METRICS, attempt=attempt,
        correlation_id=uuid4(), run_status=run_status, run_attempt=attempt - 1,
    )  # fmt: skip


async def test_current_retries_go_out_stale_ones_drop_and_a_blocked_one_waits() -> None:
    clock = FakeClock()
    batch = FakeRetryBatch([due(2), due(3, run_status="success"), due(4)], blocked={4})
    limiter = FakeLimiter(clock, {p: RateBudget(600, 10 * MICROS) for p in Platform})
    dispatch = RetryDispatch(lambda: batch, limiter, clock, 10, timedelta(seconds=30))

    more = await dispatch.run_once()

    assert not more and batch.committed
    assert batch.requeued == [2] and batch.stale == [3]
    assert batch.deferred == {4: START + timedelta(seconds=30)}
