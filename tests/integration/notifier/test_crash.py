"""``cmis-notifier`` as a real process, killed with SIGKILL while deliveries are in flight:
after a restart every notification is delivered, each accepted once by the receiver (the
idempotency key holds across the crash), and no alert is lost."""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from collections import deque
from pathlib import Path

import pytest
from faststream.rabbit import RabbitBroker
from sqlalchemy import select

from cmis_notifier.settings import NotifierSettings
from cmis_shared.db.models import Notification
from cmis_shared.events import AlertRaised, AlertType
from cmis_shared.topology import Topology
from scripts.webhook_receiver import Receiver
from tests.integration.notifier.harness import Notifier, raised
from tests.support.processes import ServiceProcess, service_env

pytestmark = pytest.mark.integration

SCRIPT = str(Path(sys.executable).parent / "cmis-notifier")
TYPES = (AlertType.BUDGET, AlertType.SYNC_FAILURE, AlertType.TOKEN_EXPIRY)


async def _publish(settings: NotifierSettings, events: list[AlertRaised]) -> None:
    """As alerting would: declare the topology (idempotent) and publish, persistent."""
    topology = Topology(settings.namespace)
    broker = RabbitBroker(settings.rabbit_url)
    await broker.connect()
    try:
        await topology.declare(broker)
        for event in events:
            await broker.publish(
                event.to_json(), exchange=topology.exchange, routing_key=event.routing_key,
                persist=True, message_id=str(event.event_id),
            )  # fmt: skip
    finally:
        await broker.stop()


async def _until(condition: object, within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"not within {within} s: {what}")


async def test_sigkill_mid_delivery_loses_nothing_and_delivers_each_notification_once(
    notifier: Notifier, receiver: tuple[Receiver, str]
) -> None:
    state, url = receiver
    # The first requests hang past the sender's timeout but are then applied by the
    # receiver: the notifier dies not knowing they arrived, the worst case for duplicates.
    state.faults, state.hang_seconds = deque(["hang", "hang"]), 2.5
    orgs = [await notifier.add_org() for _ in range(2)]
    for index, org in enumerate(orgs):
        await notifier.add_channel(
            org, "webhook", {"url": f"{url}/{index}", "secret": "whsec-test"}
        )
    events = [raised(org, alert_type) for org in orgs for alert_type in TYPES]
    await _publish(notifier.settings, events)  # waits in the notifier's queue

    env = service_env(
        notifier.settings,
        CMIS_GROUP_WAIT_SECONDS="0",
        CMIS_FLUSH_INTERVAL_SECONDS="0.2",
        CMIS_DELIVERY_POLL_SECONDS="0.2",
        CMIS_DELIVERY_TIMEOUT_SECONDS="2",
        CMIS_DELIVERY_LEASE_SECONDS="3",
        CMIS_RETRY_INITIAL_SECONDS="0.2",
        CMIS_RETRY_MAX_SECONDS="0.5",
    )
    with tempfile.TemporaryDirectory() as logs:
        first = ServiceProcess("notifier-1", [SCRIPT], env, Path(logs)).start()
        try:
            await _until(
                lambda: state.in_flight >= 1,
                90,
                f"a delivery in flight\n{first.log_text()[-2000:]}",
            )
            first.kill()  # SIGKILL: no shutdown, leases left behind
        finally:
            first.kill()
        second = ServiceProcess("notifier-2", [SCRIPT], env, Path(logs)).start()
        try:
            await _until(lambda: len(state.accepted) >= len(TYPES) * len(orgs), 90,
                         f"every notification accepted\n{second.log_text()[-3000:]}")  # fmt: skip
            await _until_delivered(notifier, len(events))
            async with notifier.sessions() as session:
                rows = (await session.scalars(select(Notification))).all()
        finally:
            second.terminate()

    # Every alert made it (one group per org and type, nothing lost in the crash)...
    assert len(rows) == len(events)
    assert {str(row.id) for row in rows} == set(state.accepted)
    delivered = {alert["alert_id"] for body in state.accepted.values() for alert in body["alerts"]}
    assert delivered == {str(e.alert_id) for e in events}
    # ...and each notification was applied once, whatever was sent twice.
    assert len(state.order) == len(set(state.order)) == len(events)
    assert state.rejected == 0
    print(f"requests {state.requests}, duplicates answered {state.duplicates}")


async def _until_delivered(notifier: Notifier, count: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        async with notifier.sessions() as session:
            states = (await session.scalars(select(Notification.state))).all()
        if len(states) == count and set(states) == {"delivered"}:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"notifications not all delivered: {states}")
