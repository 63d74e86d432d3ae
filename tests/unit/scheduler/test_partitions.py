"""Daily-metric partitions ahead of time: which months, and a pass that creates only the
missing ones (so every replica may run it)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from cmis_scheduler.domain.partitions import partition_months
from cmis_scheduler.handlers.partitions import ensure_metric_partitions
from tests.unit.scheduler.fake_uow import FakeStore

pytestmark = pytest.mark.unit


def test_last_month_to_three_months_ahead_across_a_year_end() -> None:
    assert partition_months(date(2026, 11, 30)) == (date(2026, 10, 1), date(2027, 2, 1))
    assert partition_months(date(2027, 1, 1), months_ahead=1) == (
        date(2026, 12, 1),
        date(2027, 2, 1),
    )


async def test_a_pass_creates_the_missing_months_and_a_second_pass_none() -> None:
    store = FakeStore()
    store.state.metric_partitions = {date(2026, 11, 1)}
    now = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)

    assert await ensure_metric_partitions(store.uow, lambda: now) == 4
    assert store.state.metric_partitions == {
        date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1),
        date(2027, 2, 1),
    }  # fmt: skip
    assert await ensure_metric_partitions(store.uow, lambda: now) == 0
