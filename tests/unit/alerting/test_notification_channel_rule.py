"""A notification channel the notifier disabled is a critical alert of its organization until
the channel is enabled again or removed."""

from __future__ import annotations

import uuid

import pytest

from cmis_alerting.domain.thresholds import Thresholds
from cmis_alerting.handlers import EventHandlers
from cmis_shared.clock import ManualClock
from cmis_shared.events import (
    AlertRaised,
    AlertResolved,
    NotificationChannelDisabled,
    NotificationChannelRestored,
)
from tests.unit.alerting.factories import NOW, ORG, at
from tests.unit.alerting.fakes import FakeStore

pytestmark = pytest.mark.unit
CHANNEL = uuid.uuid4()


async def test_a_disabled_channel_raises_and_its_restoration_resolves() -> None:
    store = FakeStore()
    handlers = EventHandlers(store.uow, Thresholds(), ManualClock(NOW))
    disabled = NotificationChannelDisabled(
        org_id=ORG, channel_id=CHANNEL, channel_name="ops hook", channel_kind="webhook",
        consecutive_failures=20, reason="http_500", occurred_at=at(0),
    )  # fmt: skip
    await handlers.channel_changed(disabled)
    await handlers.channel_changed(disabled)  # redelivered: no second alert

    [raised] = store.events()
    assert isinstance(raised, AlertRaised)
    assert (raised.alert_type, raised.subject_id, raised.severity) == (
        "notification_channel", CHANNEL, "critical",
    )  # fmt: skip
    assert "ops hook" in raised.message and "http_500" in raised.message

    await handlers.channel_changed(
        NotificationChannelRestored(
            org_id=ORG,
            channel_id=CHANNEL,
            channel_name="ops hook",
            channel_kind="webhook",
            reason="enabled again",
            occurred_at=at(60),
        )
    )
    resolved = store.events()[-1]
    assert isinstance(resolved, AlertResolved) and resolved.reason == "enabled again"
    assert not store.open_alerts()
