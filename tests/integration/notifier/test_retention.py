"""Finished notifications past the retention leave the tables with their attempts; pending
ones stay whatever their age."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from cmis_notifier.adapters.deliveries import SqlDeliveryQueue
from cmis_notifier.handlers import DeliveryRetention
from cmis_shared.db.models import Notification, NotificationAttempt
from tests.integration.notifier.harness import START, Notifier

pytestmark = pytest.mark.integration


async def test_old_finished_notifications_are_pruned_in_batches(notifier: Notifier) -> None:
    channel = await notifier.add_channel(await notifier.add_org(), "email", {"to": "a@b.example"})
    ages = {"delivered": 40, "failed": 31, "pending": 90, "sending": 60}
    async with notifier.sessions() as session, session.begin():
        ids = {}
        for state, days in [*ages.items(), ("delivered", 2)]:
            row = Notification(
                id=uuid.uuid4(), channel_id=channel, kind="firing", payload={}, state=state,
                created_at=START - timedelta(days=days),
            )  # fmt: skip
            session.add(row)
            ids[(state, days)] = row.id
        await session.flush()
        session.add(NotificationAttempt(
            notification_id=ids[("delivered", 40)], channel_id=channel, attempt=1,
            status="delivered", latency_ms=5,
        ))  # fmt: skip
    retention = DeliveryRetention(
        SqlDeliveryQueue(notifier.sessions, 5), timedelta(days=30), batch=1, clock=notifier.clock
    )

    assert await retention() == 1  # one batch per step
    assert await retention() == 1
    assert await retention() == 0

    async with notifier.sessions() as session:
        left = set((await session.scalars(select(Notification.id))).all())
        attempts = (await session.scalars(select(NotificationAttempt.id))).all()
    assert left == {ids[("pending", 90)], ids[("sending", 60)], ids[("delivered", 2)]}
    assert attempts == []
