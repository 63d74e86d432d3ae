"""Properties of the whole plan, run through the real dispatch handler over fakes with a
fake clock: for any set of integrations and budgets that cover the demand, no platform's
60-second window exceeds its budget and no due sync waits past its period; after downtime
every missed entry goes out once, spread over the catch-up window."""

from __future__ import annotations

import dataclasses
import random
import uuid
from collections import Counter, defaultdict
from datetime import UTC, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmis_scheduler.domain.budget import MICROS, RateBudget
from cmis_scheduler.domain.catch_up import catch_up_at, is_missed
from cmis_scheduler.domain.schedule import ScheduleSpec, next_due_at
from cmis_scheduler.domain.stagger import offset_fraction, offset_seconds
from cmis_scheduler.handlers.dispatch_scheduled import ScheduledDispatch
from cmis_shared.events import DataType, Platform
from tests.unit.scheduler.fakes import START, FakeClock, FakeLimiter, FakeSchedule

pytestmark = pytest.mark.unit

TICK = 1.0
SPECS = {
    60: ScheduleSpec(DataType.METRICS, 60, 60),
    240: ScheduleSpec(DataType.CAMPAIGNS, 240, 240),
    600: ScheduleSpec(DataType.ALL, 600, 600),
}


def seed(
    schedule: FakeSchedule, platform: Platform, period: int, count: int, ids: random.Random
) -> None:
    spec = SPECS[period]
    for _ in range(count):
        # Drawn through hypothesis, so a failing example replays with the same offsets; the
        # entry count in the low bits keeps ids distinct even from a degenerate random.
        bits = (ids.getrandbits(128) & ~0xFFFF) | len(schedule.entries)
        integration_id = uuid.UUID(int=bits, version=4)
        due = next_due_at(spec, offset_seconds(spec, integration_id), UTC, START)
        schedule.add(spec, platform, due, integration_id=integration_id)


async def run_ticks(schedule: FakeSchedule, clock: FakeClock, budgets: dict[Platform, RateBudget],
                    seconds: int) -> None:  # fmt: skip
    """The dispatch loop's cadence: every tick, each platform until it reports no more."""
    dispatch = ScheduledDispatch(schedule.batch, FakeLimiter(clock, budgets), clock, 500)
    for _ in range(int(seconds / TICK)):
        for platform in budgets:
            while await dispatch.run_platform(platform):
                pass
        clock.advance(TICK)


def max_per_window(times: list[float], window: float = 60.0) -> int:
    times, best, start = sorted(times), 0, 0
    for end, time in enumerate(times):
        while time - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def demand_per_minute(counts: dict[int, int]) -> float:
    return sum(count * 60 / period for period, count in counts.items())


population = st.dictionaries(
    st.sampled_from(list(Platform)[:3]),
    st.dictionaries(st.sampled_from(sorted(SPECS)), st.integers(1, 25), min_size=1),
    min_size=1,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(population=population, headroom=st.floats(1.1, 4.0), data=st.data())
async def test_no_window_over_budget_and_nothing_starved(
    population: dict[Platform, dict[int, int]], headroom: float, data: st.DataObject
) -> None:
    clock, schedule = FakeClock(), FakeSchedule()
    ids = data.draw(st.randoms(use_true_random=False))
    budgets: dict[Platform, RateBudget] = {}
    for platform, counts in population.items():
        for period, count in counts.items():
            seed(schedule, platform, period, count, ids)
        # The budget covers the demand (with the tolerance's small capacity cost), or the
        # test draws one much larger: nothing may be starved either way.
        needed = demand_per_minute(counts) * headroom * (60 + TICK) / 60
        per_minute = data.draw(st.integers(max(1, int(needed) + 1), int(needed) * 3 + 2))
        budgets[platform] = RateBudget(per_minute, int(TICK * MICROS))
    due_slots = {e.entry_id: e.next_due_at for e in schedule.entries.values()}

    await run_ticks(schedule, clock, budgets, seconds=1200)

    sent_at: dict[Platform, list[float]] = defaultdict(list)
    per_entry: dict[uuid.UUID, list[float]] = defaultdict(list)
    for sent in schedule.dispatched:
        seconds = (sent.at - START).total_seconds()
        sent_at[sent.entry.platform].append(seconds)
        per_entry[sent.entry.entry_id].append(seconds)
        # never before its due time, and within its period of it
        assert sent.entry.next_due_at <= sent.at
        assert sent.entry.spec is not None
        assert sent.at - sent.entry.next_due_at < timedelta(seconds=sent.entry.spec.period_seconds)
    for platform, times in sent_at.items():
        assert max_per_window(times) <= budgets[platform].per_minute, platform
    for entry_id, first_due in due_slots.items():
        spec = schedule.entries[entry_id].spec
        assert spec is not None
        period = spec.period_seconds
        expected = int((1200 - (first_due - START).total_seconds()) // period)
        assert len(per_entry[entry_id]) >= expected, "an entry was starved"


async def test_after_downtime_each_missed_entry_goes_out_once_and_spread() -> None:
    clock, schedule = FakeClock(), FakeSchedule()
    seed(schedule, Platform.GOOGLE, 600, 300, random.Random(300))
    budgets = {Platform.GOOGLE: RateBudget(100_000, int(TICK * MICROS))}  # no budget pressure

    clock.advance(4 * 600)  # four periods with no scheduler running
    now, window = clock.now(), 300
    for key, entry in list(schedule.entries.items()):
        if is_missed(entry.next_due_at, now, timedelta(seconds=60)):
            fraction = offset_fraction(entry.integration_id, entry.data_type)
            schedule.entries[key] = dataclasses.replace(
                entry, next_due_at=catch_up_at(now, fraction, 600, window)
            )
    await run_ticks(schedule, clock, budgets, seconds=window + 1)

    per_entry = Counter(sent.entry.entry_id for sent in schedule.dispatched)
    assert set(per_entry) == set(schedule.entries) and set(per_entry.values()) == {1}
    per_ten_seconds = Counter(int((sent.at - now).total_seconds() // 10)
                              for sent in schedule.dispatched)  # fmt: skip
    assert max(per_ten_seconds.values()) <= 3 * 300 / (window / 10), per_ten_seconds
