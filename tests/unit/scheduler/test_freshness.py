"""Stale-integration reporting: counts become gauge values for every platform and data type,
and a pass sets them all, so a pair that recovered drops back to zero."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from cmis_scheduler.domain.freshness import StaleCount, gauge_values
from cmis_scheduler.handlers.stale import report_stale
from cmis_shared.events import DataType, Platform

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def test_every_pair_has_a_value_and_counts_add_up() -> None:
    values = gauge_values(
        [
            StaleCount(Platform.META, DataType.METRICS, 3),
            StaleCount(Platform.META, DataType.METRICS, 2),
        ]
    )
    assert values[(Platform.META, DataType.METRICS)] == 5
    assert values[(Platform.GOOGLE, DataType.ALL)] == 0
    assert len(values) == len(Platform) * len(DataType)


class FakeFreshness:
    def __init__(self, counts: list[StaleCount]) -> None:
        self.counts = counts
        self.asked_at: datetime | None = None

    async def stale_counts(self, now: datetime) -> list[StaleCount]:
        self.asked_at = now
        return self.counts


class FakeUow:
    def __init__(self, freshness: FakeFreshness) -> None:
        self.freshness = freshness

    async def __aenter__(self) -> FakeUow:
        return self

    async def __aexit__(self, *_: object) -> None:
        return None


class FakeGauge:
    def __init__(self) -> None:
        self.values: dict[tuple[Platform, DataType], int] = {}

    def set_stale(self, values: Mapping[tuple[Platform, DataType], int]) -> None:
        self.values = dict(values)


async def test_a_pass_sets_the_gauge_at_the_clocks_time() -> None:
    freshness = FakeFreshness([StaleCount(Platform.TIKTOK, DataType.CAMPAIGNS, 4)])
    gauge = FakeGauge()

    assert await report_stale(lambda: FakeUow(freshness), lambda: NOW, gauge) == 4  # type: ignore[arg-type,return-value]
    assert freshness.asked_at == NOW
    assert gauge.values[(Platform.TIKTOK, DataType.CAMPAIGNS)] == 4

    freshness.counts = []
    assert await report_stale(lambda: FakeUow(freshness), lambda: NOW, gauge) == 0  # type: ignore[arg-type,return-value]
    assert gauge.values[(Platform.TIKTOK, DataType.CAMPAIGNS)] == 0
