"""The dispatch handler over fakes: token checks, switched-off schedules, the budget."""

import dataclasses
from datetime import timedelta

import pytest

from cmis_scheduler.domain.budget import RateBudget
from cmis_scheduler.domain.schedule import ScheduleSpec
from cmis_scheduler.handlers.dispatch_scheduled import ScheduledDispatch
from cmis_shared.events import DataType, Platform
from tests.unit.scheduler.fakes import START, FakeClock, FakeLimiter, FakeSchedule

pytestmark = pytest.mark.unit

HOURLY = ScheduleSpec(DataType.METRICS, 3600, 3600)


def dispatcher(
    schedule: FakeSchedule, clock: FakeClock, per_minute: int = 600
) -> ScheduledDispatch:
    limiter = FakeLimiter(clock, {p: RateBudget(per_minute, 1_000_000) for p in Platform})
    return ScheduledDispatch(schedule.batch, limiter, clock, batch_size=100)


async def test_due_entries_go_out_once_and_move_to_their_next_slot() -> None:
    clock, schedule = FakeClock(), FakeSchedule()
    entries = [
        schedule.add(HOURLY, Platform.GOOGLE, START - timedelta(seconds=i)) for i in range(3)
    ]
    await dispatcher(schedule, clock).run_platform(Platform.GOOGLE)
    assert sorted(d.entry.entry_id for d in schedule.dispatched) == sorted(
        e.entry_id for e in entries
    )
    assert all(e.next_due_at > START for e in schedule.entries.values())
    await dispatcher(schedule, clock).run_platform(Platform.GOOGLE)
    assert len(schedule.dispatched) == 3


async def test_dead_token_is_not_dispatched_and_reported_once_per_integration() -> None:
    clock, schedule = FakeClock(), FakeSchedule()
    dead = {"token_expires_at": START - timedelta(minutes=1), "refreshable": False}
    first = schedule.add(HOURLY, Platform.META, START, **dead)
    schedule.add(
        ScheduleSpec(DataType.CAMPAIGNS, 60, 60), Platform.META, START,
        integration_id=first.integration_id, **dead,
    )  # fmt: skip
    refreshable = schedule.add(HOURLY, Platform.META, START, **{**dead, "refreshable": True})
    run = dispatcher(schedule, clock)
    await run.run_platform(Platform.META)
    clock.advance(120)
    await run.run_platform(Platform.META)
    assert [d.entry.entry_id for d in schedule.dispatched] == [refreshable.entry_id]
    assert schedule.reported == [first.integration_id]


async def test_switched_off_or_paused_entries_are_disabled_not_dispatched() -> None:
    clock, schedule = FakeClock(), FakeSchedule()
    off = dataclasses.replace(schedule.add(HOURLY, Platform.TIKTOK, START), spec=None)
    schedule.entries[off.entry_id] = off
    await dispatcher(schedule, clock).run_platform(Platform.TIKTOK)
    assert schedule.dispatched == []
    assert schedule.switched_off == [off.entry_id]


async def test_budget_caps_each_batch_and_the_rest_waits_its_turn() -> None:
    clock, schedule = FakeClock(), FakeSchedule()
    for _ in range(30):
        schedule.add(HOURLY, Platform.LINKEDIN, START)
    run = dispatcher(schedule, clock, per_minute=60)  # about one a second
    per_call = []
    for _ in range(40):
        before = len(schedule.dispatched)
        await run.run_platform(Platform.LINKEDIN)
        per_call.append(len(schedule.dispatched) - before)
        clock.advance(1)
    assert per_call[0] == 1
    assert max(per_call) <= 2
    assert len(schedule.dispatched) == 30
