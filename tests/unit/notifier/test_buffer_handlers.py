"""Alert events into the grouping buffer and the flush into notifications, over the in-memory
buffer: routing picks the channels, a redelivered event changes nothing, the flush makes one
message per due group and wakes the delivery loop only when it made one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from cmis_notifier.domain.grouping import GroupPolicy
from cmis_notifier.domain.routing import Route
from cmis_notifier.domain.silences import Silence
from cmis_notifier.handlers import AlertHandlers, GroupFlush
from cmis_notifier.handlers.alerts import CONSUMER
from cmis_shared.clock import ManualClock
from cmis_shared.events import AlertType, Severity
from tests.unit.notifier.fakes import FakeBufferStore, raised, resolved_of

pytestmark = pytest.mark.unit

START = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
ORG = uuid4()
POLICY = GroupPolicy(
    group_wait=timedelta(seconds=30),
    group_interval=timedelta(minutes=5),
    repeat_interval=timedelta(hours=4),
    resolve_wait=timedelta(seconds=5),
)
DASHBOARD = "http://dash.example/"


class Wakes:
    def __init__(self) -> None:
        self.times = 0

    def __call__(self) -> None:
        self.times += 1


class World:
    def __init__(self) -> None:
        self.clock = ManualClock(START)
        self.store = FakeBufferStore()
        self.buffered, self.notified = Wakes(), Wakes()
        self.handlers = AlertHandlers(self.store.uow, self.clock, self.buffered)
        self.flush = GroupFlush(
            self.store.uow, POLICY, DASHBOARD, self.clock, self.notified, batch=10
        )

    def bodies(self, channel_id: UUID) -> list[dict[str, Any]]:
        return [b for b in self.store.state.notifications if b["channel_id"] == str(channel_id)]


async def test_a_raised_alert_goes_to_each_enabled_channel_whose_route_takes_it() -> None:
    world = World()
    every = world.store.channel(ORG)
    critical_only = world.store.channel(ORG, Route(min_severity=Severity.CRITICAL))
    tokens_only = world.store.channel(ORG, Route(alert_types=frozenset({AlertType.TOKEN_EXPIRY})))
    other_org = world.store.channel(uuid4())

    await world.handlers.raised(raised(ORG, severity=Severity.WARNING))

    assert len(world.store.buffered(every)) == 1
    for channel in (critical_only, tokens_only, other_org):
        assert world.store.buffered(channel) == []
    assert world.buffered.times == 1


async def test_an_alert_no_channel_takes_commits_its_claim_and_wakes_nobody() -> None:
    world = World()
    world.store.channel(ORG, Route(min_severity=Severity.CRITICAL))
    event = raised(ORG)
    await world.handlers.raised(event)
    assert world.store.state.alerts == {} and world.buffered.times == 0
    assert (CONSUMER, event.event_id) in world.store.state.processed


async def test_a_redelivered_event_changes_nothing() -> None:
    world = World()
    channel = world.store.channel(ORG)
    event = raised(ORG)
    await world.handlers.raised(event)
    world.clock.advance(timedelta(seconds=10))
    await world.handlers.raised(event)

    [copy] = world.store.buffered(channel)
    assert copy.changed_at == START
    assert world.buffered.times == 1
    await world.handlers.resolved(resolved := resolved_of(event))
    await world.handlers.resolved(resolved)
    assert world.buffered.times == 1  # never notified: dropped, nothing to tell


async def test_a_system_alert_goes_to_the_operators_channel() -> None:
    world = World()
    operators = world.store.channel(None)
    world.store.channel(ORG)
    await world.handlers.raised(raised(UUID(int=0), AlertType.DEAD_LETTERS))
    assert len(world.store.buffered(operators)) == 1
    assert len(world.store.state.alerts) == 1


async def test_alerts_arriving_together_leave_as_one_message_after_the_group_wait() -> None:
    world = World()
    channel = world.store.channel(ORG)
    for _ in range(3):
        await world.handlers.raised(raised(ORG))
        world.clock.advance(timedelta(seconds=1))

    assert await world.flush() == 0  # still in the group wait
    assert world.notified.times == 0
    world.clock.set(START + POLICY.group_wait)
    assert await world.flush() == 1
    [body] = world.bodies(channel)
    assert body["kind"] == "firing"
    assert body["group"] == {"alert_type": "budget", "firing": 3, "resolved": 0}
    assert world.notified.times == 1
    assert await world.flush() == 0  # all went out; nothing pending
    assert world.notified.times == 1


async def test_a_notified_alert_resolved_goes_out_as_a_resolution() -> None:
    world = World()
    channel = world.store.channel(ORG)
    event = raised(ORG)
    await world.handlers.raised(event)
    world.clock.set(START + POLICY.group_wait)
    await world.flush()

    await world.handlers.resolved(resolved_of(event))
    assert world.buffered.times == 2
    world.clock.advance(POLICY.resolve_wait)
    assert await world.flush() == 1
    assert [b["kind"] for b in world.bodies(channel)] == ["firing", "resolved"]
    assert world.store.state.alerts == {} and world.store.state.groups == {}


async def test_a_silenced_subject_sends_nothing_until_the_silence_ends() -> None:
    world = World()
    channel = world.store.channel(ORG)
    event = raised(ORG)
    until = START + timedelta(hours=1)
    world.store.state.silences.append((ORG, Silence(event.subject_id, None, until)))
    await world.handlers.raised(event)

    world.clock.set(START + POLICY.group_wait)
    assert await world.flush() == 0
    world.clock.set(until)
    assert await world.flush() == 1
    assert len(world.bodies(channel)) == 1


async def test_the_flush_reads_groups_with_the_repeat_interval_before_now() -> None:
    world = World()
    channel = world.store.channel(ORG)
    await world.handlers.raised(raised(ORG))
    world.clock.set(START + POLICY.group_wait)
    await world.flush()

    world.clock.advance(POLICY.repeat_interval - timedelta(seconds=1))
    assert await world.flush() == 0
    world.clock.advance(timedelta(seconds=1))
    assert await world.flush() == 1
    assert [b["kind"] for b in world.bodies(channel)] == ["firing", "repeat"]
    # Groups that only keep firing are read when their repeat is due, a batch at a time.
    assert world.store.state.lock_calls[-1] == (10, world.clock() - POLICY.repeat_interval)
