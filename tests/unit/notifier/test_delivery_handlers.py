"""The delivery loop and the retention step over an in-memory delivery queue and a scripted
sender: at most one attempt in flight per channel, a failure retried after its backoff and
given up after the last attempt, a channel that keeps failing disabled and announced, a lost
lease or an outage while recording leaving the notification to be sent again."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from prometheus_client import CollectorRegistry
from pydantic import SecretStr
from structlog.testing import capture_logs

from cmis_notifier.adapters.metrics import NotifierMetrics
from cmis_notifier.domain.announce import channel_events
from cmis_notifier.domain.delivery import AttemptResult, DeliveryState, RetryPolicy
from cmis_notifier.domain.grouping import NotificationKind
from cmis_notifier.handlers import DeliveryLoop, DeliveryRetention
from cmis_shared.clock import ManualClock
from cmis_shared.crypto import TokenCipher
from cmis_shared.events import NotificationChannelDisabled
from tests.unit.notifier.fakes import FakeDeliveryQueue, FakeSender, QueuedChannel

pytestmark = pytest.mark.unit

START = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
ORG = uuid4()
POLICY = RetryPolicy(
    max_attempts=3,
    initial=timedelta(seconds=10),
    maximum=timedelta(minutes=5),
    disable_after_failures=5,
)
CIPHER = TokenCipher(SecretStr("0fF5a3u-8QjEmEOhI3E1SbXV9MKM6f1h-6N9g-7cLMw="))
OTHER_CIPHER = TokenCipher(SecretStr("t0X8f7bEYvB6W3k4fJ0VhYtJQmH5d0c8rU9iN2oKx1s="))
FAILED = AttemptResult(False, 40, response_code=500, reason="http_500", error="internal")


class World:
    def __init__(self, concurrency: int = 4) -> None:
        self.clock = ManualClock(START)
        self.queue = FakeDeliveryQueue(self.clock, POLICY.disable_after_failures)
        self.sender = FakeSender()
        self.registry = CollectorRegistry()
        self.loop = DeliveryLoop(
            self.queue, self.sender, CIPHER, POLICY, NotifierMetrics(self.registry),
            web_base_url="http://dash.example/", concurrency=concurrency,
            lease=timedelta(seconds=30), poll_seconds=60, clock=self.clock,
            announce=channel_events,
        )  # fmt: skip

    def channel(self, kind: str = "webhook", cipher: TokenCipher = CIPHER) -> UUID:
        channel_id = uuid4()
        target = {"url": "https://hooks.example/x", "secret": "whsec_1"}
        self.queue.channels[channel_id] = QueuedChannel(kind, cipher.encrypt(target), ORG)
        return channel_id

    async def round(self) -> int:
        started = await self.loop.dispatch_once()
        await self.loop.drain()
        return started

    def metric(self, name: str, **labels: str) -> float:
        return self.registry.get_sample_value(name, labels) or 0.0


async def test_a_due_notification_is_sent_with_its_decrypted_target_and_recorded() -> None:
    world = World()
    channel = world.channel()
    notification = world.queue.add(channel, {"kind": "firing", "alerts": []})

    assert await world.round() == 1
    [(kind, target, body)] = world.sender.sent
    assert (kind, target["url"], body) == (
        "webhook",
        "https://hooks.example/x",
        {"kind": "firing", "alerts": []},
    )
    assert world.queue.notifications[notification].state == DeliveryState.DELIVERED
    assert world.metric("cmis_notifications_sent_total", channel_kind="webhook", kind="firing") == 1
    assert world.metric("cmis_notification_attempts_in_flight") == 0
    assert world.metric("cmis_notification_attempt_seconds_count", channel_kind="webhook") == 1
    assert world.metric("cmis_notification_attempt_seconds_sum", channel_kind="webhook") == 0.012
    assert world.loop.busy_channels == frozenset()


async def test_a_failure_is_retried_after_its_backoff_and_given_up_after_the_last_attempt() -> None:
    world = World()
    channel = world.channel()
    notification = world.queue.add(channel, {"kind": "firing"})
    world.sender.script["webhook"] = [FAILED, FAILED, FAILED]

    await world.round()
    queued = world.queue.notifications[notification]
    assert (queued.state, queued.next_attempt_at) == (
        DeliveryState.PENDING,
        START + timedelta(seconds=10),
    )
    assert await world.round() == 0  # not due yet
    world.clock.advance(timedelta(seconds=10))
    await world.round()
    assert queued.next_attempt_at == START + timedelta(seconds=30)  # 10 s later, then 20 s
    world.clock.set(START + timedelta(seconds=30))
    await world.round()

    assert (queued.state, queued.attempts) == (DeliveryState.FAILED, 3)
    assert (
        world.metric(
            "cmis_notification_attempts_failed_total", channel_kind="webhook", reason="http_500"
        )
        == 3
    )
    assert world.metric("cmis_notifications_given_up_total", channel_kind="webhook") == 1
    assert await world.round() == 0


async def test_a_channel_that_keeps_failing_is_disabled_and_announced_once() -> None:
    world = World()
    channel = world.channel()
    world.sender.script["webhook"] = [FAILED] * 5
    for _ in range(5):
        world.queue.add(channel, {"kind": "firing"})
        await world.round()

    assert world.queue.channels[channel].enabled is False
    [event] = world.queue.published
    assert isinstance(event, NotificationChannelDisabled)
    assert (event.org_id, event.channel_id, event.consecutive_failures) == (ORG, channel, 5)
    assert event.reason == "http_500"
    assert world.metric("cmis_notification_channels_disabled_total") == 1
    world.queue.add(channel, {"kind": "firing"})
    assert await world.round() == 0  # a disabled channel sends nothing


async def test_an_undecryptable_target_is_a_failed_attempt_without_a_send() -> None:
    world = World()
    channel = world.channel(cipher=OTHER_CIPHER)  # encrypted with a key this process lacks
    notification = world.queue.add(channel, {"kind": "firing"})
    await world.round()

    assert world.sender.sent == []
    [result] = world.queue.notifications[notification].results
    assert (result.ok, result.reason) == (False, "undecryptable")
    assert "hooks.example" not in (result.error or "")


async def test_a_test_notification_carries_the_sample_alert_built_alike_on_every_attempt() -> None:
    world = World()
    channel = world.channel("slack")
    notification = world.queue.add(channel, {}, kind=NotificationKind.TEST)
    world.sender.script["slack"] = [FAILED]
    await world.round()
    world.clock.advance(timedelta(seconds=10))
    await world.round()

    first, second = (body for _, _, body in world.sender.sent)
    assert first == second
    assert first["kind"] == "test" and first["notification_id"] == str(notification)
    assert first["alerts"][0]["details"]["sample"] is True


async def test_one_attempt_in_flight_per_channel_and_no_more_than_the_concurrency() -> None:
    world = World(concurrency=2)
    slow, other, third = world.channel(), world.channel(), world.channel()
    for channel in (slow, slow, other, third):
        world.queue.add(channel, {"kind": "firing"})
    world.sender.gate = asyncio.Event()

    assert await world.loop.dispatch_once() == 2  # slow's first and other's
    assert await world.loop.dispatch_once() == 0  # no slot free
    assert world.loop.busy_channels == {slow, other}
    assert world.queue.claims[0][1] == frozenset()
    world.sender.gate.set()
    await world.loop.drain()
    assert await world.round() == 2  # slow's second and third's
    assert [target["url"] for _, target, _ in world.sender.sent].count(
        "https://hooks.example/x"
    ) == 4


async def test_a_lost_lease_or_an_outage_while_recording_leaves_it_to_be_sent_again() -> None:
    world = World()
    channel = world.channel()
    notification = world.queue.add(channel, {"kind": "firing"})
    world.queue.record_error = ConnectionResetError("database gone")
    with capture_logs() as logs:
        await world.round()  # the outage is logged, not raised
    assert "delivery not recorded; it will be retried" in [e["event"] for e in logs]
    assert world.queue.notifications[notification].state == DeliveryState.SENDING
    assert world.metric("cmis_notifications_sent_total", channel_kind="webhook", kind="firing") == 0

    world.queue.notifications[notification].state = DeliveryState.PENDING  # the lease expired
    world.sender.gate = asyncio.Event()
    await world.loop.dispatch_once()
    world.queue.steal_lease(notification)
    world.sender.gate.set()
    await world.loop.drain()
    assert world.queue.notifications[notification].results == []  # the other claim records
    assert world.metric("cmis_notifications_sent_total", channel_kind="webhook", kind="firing") == 1


async def test_retention_deletes_old_finished_notifications_a_batch_at_a_time() -> None:
    world = World()
    channel = world.channel()
    old = [world.queue.add(channel, {}) for _ in range(3)]
    for notification in old:
        world.queue.notifications[notification].state = DeliveryState.DELIVERED
    waiting = world.queue.add(channel, {})  # pending: never touched
    world.clock.advance(timedelta(days=1))
    recent = world.queue.add(channel, {})
    world.queue.notifications[recent].state = DeliveryState.FAILED
    world.clock.advance(timedelta(hours=1))  # finished an hour ago: kept for 12
    retention = DeliveryRetention(world.queue, keep=timedelta(hours=12), batch=2, clock=world.clock)

    assert await retention() == 2
    assert await retention() == 1
    assert await retention() == 0
    assert set(world.queue.notifications) == {waiting, recent}


async def test_an_error_of_the_data_while_recording_is_not_taken_for_an_outage() -> None:
    world = World()
    world.queue.add(world.channel(), {"kind": "firing"})
    world.queue.record_error = ValueError("a bug, not an outage")
    with capture_logs() as logs:
        await world.round()
    assert "delivery not recorded; it will be retried" not in [e["event"] for e in logs]
