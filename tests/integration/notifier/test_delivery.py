"""Grouped, signed delivery to real receivers: an HTTP server that checks signatures and
dedupes by idempotency key, and an SMTP server (aiosmtpd); faults answered by retries."""

from __future__ import annotations

import asyncio
import uuid
from collections import deque
from datetime import timedelta
from email import message_from_bytes
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from prometheus_client import generate_latest
from pydantic import SecretStr

from cmis_notifier.adapters.system_channel import ensure_system_channel
from cmis_notifier.domain.announce import SYSTEM_ORG_ID
from cmis_notifier.settings import NotifierSettings
from cmis_shared.events import AlertType, NotificationChannelDisabled, Severity
from scripts.webhook_receiver import Receiver, serve, stop
from tests.integration.notifier.harness import Notifier, build, raised, resolved
from tests.support.ports import free_port
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


async def test_ten_budget_alerts_are_one_signed_webhook_and_the_resolution_follows_promptly(
    notifier: Notifier, receiver: tuple[Receiver, str]
) -> None:
    state, url = receiver
    org = await notifier.add_org()
    channel = await notifier.add_channel(
        org, "webhook", {"url": f"{url}/hook", "secret": "whsec-test"}
    )
    alerts = [raised(org) for _ in range(10)]
    for alert in alerts:
        await notifier.handlers.raised(alert)
        await notifier.handlers.raised(alert)  # a redelivery: the inbox drops it

    assert await notifier.flush() == 0  # group_wait
    notifier.clock.advance(timedelta(seconds=30))
    assert await notifier.flush() == 1
    await notifier.deliver_all()

    assert state.rejected == 0 and len(state.accepted) == 1
    body = state.accepted[state.order[0]]
    assert body["schema"] == "cmis.notification" and body["kind"] == "firing"
    assert {a["alert_id"] for a in body["alerts"]} == {str(a.alert_id) for a in alerts}
    assert body["title"] == "[WARNING] 10 budget alerts"

    # One clears 10 s later: it leaves after resolve_wait, not after the 5-minute interval.
    notifier.clock.advance(timedelta(seconds=10))
    await notifier.handlers.resolved(resolved(alerts[0]))
    assert await notifier.flush() == 0
    notifier.clock.advance(timedelta(seconds=5))
    assert await notifier.flush() == 1
    await notifier.deliver_all()

    resolution = state.accepted[state.order[1]]
    assert resolution["kind"] == "resolved"
    assert [a["status"] for a in resolution["alerts"]] == ["resolved"]
    assert resolution["alerts"][0]["reason"] == "spend below the threshold"
    assert [n.state for n in await notifier.notifications(channel)] == ["delivered", "delivered"]
    assert state.duplicates == 0


async def test_a_forged_signature_is_refused_by_the_receiver(
    notifier: Notifier, receiver: tuple[Receiver, str]
) -> None:
    state, url = receiver
    org = await notifier.add_org()
    channel = await notifier.add_channel(org, "webhook", {"url": url, "secret": "not-the-secret"})
    await notifier.handlers.raised(raised(org))
    notifier.clock.advance(timedelta(seconds=30))
    await notifier.flush()
    await notifier.delivery.dispatch_once()
    await notifier.delivery.drain()

    assert state.rejected == 1 and not state.accepted
    (attempt,) = await notifier.attempts(channel)
    assert (attempt.status, attempt.response_code, attempt.reason) == ("failed", 401, "http_401")


async def test_500_then_timeout_then_success_delivers_once_and_every_attempt_is_kept(
    notifier: Notifier, receiver: tuple[Receiver, str]
) -> None:
    state, url = receiver
    state.faults = deque(["error", "hang"])
    org = await notifier.add_org()
    channel = await notifier.add_channel(org, "webhook", {"url": url, "secret": "whsec-test"})
    await notifier.handlers.raised(raised(org, message="first"))
    notifier.clock.advance(timedelta(seconds=30))
    await notifier.flush()
    await notifier.deliver_all()

    attempts = await notifier.attempts(channel)
    assert [(a.status, a.reason, a.response_code) for a in attempts] == [
        ("failed", "http_500", 500),
        ("failed", "timeout", None),
        ("delivered", None, 200),
    ]
    assert len(state.accepted) == 1
    (notification,) = await notifier.notifications(channel)
    assert (notification.state, notification.attempts) == ("delivered", 3)
    figures = generate_latest(notifier.metrics).decode()
    assert (
        'cmis_notification_attempts_failed_total{channel_kind="webhook",reason="http_500"} 1.0'
        in figures
    )
    assert (
        'cmis_notification_attempts_failed_total{channel_kind="webhook",reason="timeout"} 1.0'
        in figures
    )
    assert 'cmis_notifications_sent_total{channel_kind="webhook",kind="firing"} 1.0' in figures
    assert "cmis_notification_attempt_seconds_count" in figures
    assert (await notifier.channel(channel)).consecutive_failures == 0


async def test_a_hanging_endpoint_does_not_delay_another_channel(
    notifier_settings: NotifierSettings, receiver: tuple[Receiver, str]
) -> None:
    slow_state, slow_url = receiver
    # The slow endpoint hangs until the test lets it answer, well inside the sender's timeout:
    # however slowly the machine runs, the slow attempt is still in flight while the fast
    # channel's is sent and recorded.
    slow_state.faults, slow_state.hang_seconds = deque(["hang"]), 120
    fast_state = Receiver(secret="whsec-fast")
    fast_server = await serve(fast_state, free_port())
    notifier = build(notifier_settings.model_copy(update={"delivery_timeout_seconds": 90}))
    try:
        org = await notifier.add_org()
        slow = await notifier.add_channel(org, "webhook", {"url": slow_url, "secret": "whsec-test"})
        fast_url = f"http://127.0.0.1:{fast_server.config.port}"
        fast = await notifier.add_channel(org, "webhook", {"url": fast_url, "secret": "whsec-fast"})
        await notifier.handlers.raised(raised(org))
        notifier.clock.advance(timedelta(seconds=30))
        assert await notifier.flush() == 2

        dispatching = asyncio.create_task(notifier.delivery.dispatch_once())
        await asyncio.wait_for(fast_state.arrived.wait(), 60)  # a limit, not a measurement
        # Dispatching did not wait for any send; the fast one is done, the slow one still runs.
        assert dispatching.done() and dispatching.result() == 2
        # The fast attempt is recorded while the slow one is still being sent.
        await eventually(lambda: fast not in notifier.delivery.busy_channels, within=60)
        assert notifier.delivery.busy_channels == {slow}
        assert slow_state.in_flight == 1 and not slow_state.accepted
        slow_state.release.set()  # the slow endpoint answers at last
        await notifier.deliver_all()
        assert len(slow_state.accepted) == 1 and len(fast_state.accepted) == 1
    finally:
        await stop(fast_server)
        await notifier.close()


async def test_a_channel_that_keeps_failing_is_disabled(
    notifier: Notifier, receiver: tuple[Receiver, str]
) -> None:
    state, url = receiver
    state.faults = deque(["error"] * 10)
    org = await notifier.add_org()
    channel = await notifier.add_channel(org, "webhook", {"url": url, "secret": "whsec-test"})
    await notifier.handlers.raised(raised(org))
    notifier.clock.advance(timedelta(seconds=30))
    await notifier.flush()
    await notifier.deliver_all()

    row = await notifier.channel(channel)
    assert not row.enabled and row.consecutive_failures == 4  # the setting
    assert row.disabled_reason is not None and "http_500" in row.disabled_reason
    assert len(await notifier.attempts(channel)) == 4
    assert (
        "cmis_notification_channels_disabled_total 1.0"
        in generate_latest(notifier.metrics).decode()
    )
    # Alerting hears of it (through the outbox, in the transaction that disabled it).
    (event,) = await notifier.staged_events("notification.channel_disabled")
    assert isinstance(event, NotificationChannelDisabled)
    assert (event.org_id, event.channel_id, event.reason) == (org, channel, "http_500")
    assert event.consecutive_failures == 4 and url not in event.model_dump_json()
    # New alerts no longer route to it.
    await notifier.handlers.raised(raised(org))
    assert len(await notifier.notifications(channel)) == 1


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.messages.append(message_from_bytes(envelope.content))  # type: ignore[attr-defined]
        return "250 Message accepted for delivery"


async def test_email_goes_out_over_smtp_with_text_and_html(notifier: Notifier) -> None:
    inbox = _Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        notifier.delivery._sender._settings = notifier.settings.model_copy(  # type: ignore[attr-defined]
            update={"smtp_port": port}
        )
        org = await notifier.add_org()
        channel = await notifier.add_channel(org, "email", {"to": "ops@acme.example"})
        await notifier.handlers.raised(raised(org, message="Campaign Spring spent 104 %"))
        notifier.clock.advance(timedelta(seconds=30))
        await notifier.flush()
        await notifier.deliver_all()
    finally:
        controller.stop()

    (mail,) = inbox.messages
    assert mail["To"] == "ops@acme.example"
    assert mail["Subject"] == "[CMIS] [WARNING] 1 budget alert"
    (notification,) = await notifier.notifications(channel)
    assert str(notification.id) in mail["Message-ID"]
    parts = {
        part.get_content_type(): part.get_payload(decode=True).decode()
        for part in mail.walk()
        if not part.is_multipart()
    }  # type: ignore[union-attr]
    assert "Campaign Spring spent 104 %" in parts["text/plain"]
    assert "Campaign Spring spent 104 %" in parts["text/html"]
    assert f"http://dash.test/#/orgs/{org}/alerts?alert=" in parts["text/html"]
    assert f"http://dash.test/#/orgs/{org}/alerts?alert=" in parts["text/plain"]


async def test_slack_compatible_channels_get_readable_text_with_a_link_back(
    notifier: Notifier,
) -> None:
    state = Receiver(secret=None)  # incoming webhooks are not signed
    server = await serve(state, free_port())
    try:
        url = f"http://127.0.0.1:{server.config.port}/services/T000/B000/XXXX"
        org = await notifier.add_org()
        await notifier.add_channel(org, "slack", {"url": url})
        alert = raised(org, severity=Severity.CRITICAL, message="Campaign Spring spent 104 %")
        await notifier.handlers.raised(alert)
        notifier.clock.advance(timedelta(seconds=30))
        await notifier.flush()
        await notifier.deliver_all()
    finally:
        await stop(server)

    (body,) = state.accepted.values()
    assert set(body) == {"text"}
    lines = body["text"].splitlines()
    assert lines[0] == "*[CRITICAL] 1 budget alert*"
    assert lines[1] == (
        f":red_circle: CRITICAL Campaign Spring spent 104 % "
        f"<http://dash.test/#/orgs/{org}/alerts?alert={alert.alert_id}|open>"
    )


async def test_system_alerts_go_to_the_operators_channel_from_settings(
    notifier: Notifier, receiver: tuple[Receiver, str]
) -> None:
    state, url = receiver
    settings = notifier.settings.model_copy(
        update={
            "system_webhook_url": SecretStr(f"{url}/ops"),
            "system_webhook_secret": SecretStr("whsec-test"),
        }
    )
    await ensure_system_channel(notifier.sessions, settings, notifier.cipher)
    await ensure_system_channel(notifier.sessions, settings, notifier.cipher)  # idempotent
    dead_letters = raised(
        SYSTEM_ORG_ID, AlertType.DEAD_LETTERS, Severity.CRITICAL,
        "3 messages in the dead-letter queue cmis.dead-letter",
    )  # fmt: skip
    await notifier.handlers.raised(dead_letters)
    await notifier.handlers.raised(raised(await notifier.add_org()))  # an org's: not for ops
    notifier.clock.advance(timedelta(seconds=30))
    assert await notifier.flush() == 1
    await notifier.deliver_all()

    (body,) = state.accepted.values()
    assert body["org_id"] is None and body["url"] == "http://dash.test/#/alerts"
    assert [a["alert_type"] for a in body["alerts"]] == ["dead_letters"]


async def test_an_alert_resolved_in_its_group_wait_sends_nothing_and_a_later_one_waits_again(
    notifier: Notifier, receiver: tuple[Receiver, str]
) -> None:
    state, url = receiver
    org = await notifier.add_org()
    channel = await notifier.add_channel(org, "webhook", {"url": url, "secret": "whsec-test"})
    flapping = raised(org)
    await notifier.handlers.raised(flapping)
    notifier.clock.advance(timedelta(seconds=10))
    await notifier.handlers.resolved(resolved(flapping))
    notifier.clock.advance(timedelta(minutes=10))
    assert await notifier.flush() == 0

    await notifier.handlers.raised(raised(org))  # a new group: its own group_wait
    assert await notifier.flush() == 0
    notifier.clock.advance(timedelta(seconds=30))
    assert await notifier.flush() == 1
    await notifier.deliver_all()
    assert len(state.accepted) == 1
    assert len(await notifier.notifications(channel)) == 1


async def test_another_occurrence_of_a_notified_alert_waits_for_the_repeat_but_escalation_not(
    notifier: Notifier, receiver: tuple[Receiver, str]
) -> None:
    state, url = receiver
    org = await notifier.add_org()
    await notifier.add_channel(org, "webhook", {"url": url, "secret": "whsec-test"})
    failure = raised(org, AlertType.SYNC_FAILURE, Severity.WARNING, "Sync failed")
    await notifier.handlers.raised(failure)
    notifier.clock.advance(timedelta(seconds=30))
    assert await notifier.flush() == 1

    again = failure.model_copy(update={"event_id": uuid.uuid4(), "occurrences": 2})
    await notifier.handlers.raised(again)
    notifier.clock.advance(timedelta(minutes=10))  # past the group interval
    assert await notifier.flush() == 0  # the same alert once more: no message of its own

    escalated = failure.model_copy(
        update={"event_id": uuid.uuid4(), "severity": Severity.CRITICAL, "escalated": True}
    )
    await notifier.handlers.raised(escalated)
    assert await notifier.flush() == 1  # news: the interval since the last message has passed
    await notifier.deliver_all()
    bodies = [state.accepted[key] for key in state.order]
    assert [b["title"] for b in bodies] == [
        "[WARNING] 1 sync failure alert",
        "[CRITICAL] 1 sync failure alert",
    ]
