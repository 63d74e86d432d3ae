"""Notification channel rule: a channel the notifier disabled after repeated failures means
alerts no longer reach someone, so it is a critical alert until the channel is enabled again
or removed. Like the dead-letter alert, it travels as an ``integration`` subject (the event
contract knows no other), with the channel's id as subject and its name in the details."""

from __future__ import annotations

from cmis_alerting.domain.observations import AlertKey, Observation, clear, holds
from cmis_shared.events import (
    AlertType,
    NotificationChannelDisabled,
    NotificationChannelRestored,
    Severity,
)


def channel_observation(
    event: NotificationChannelDisabled | NotificationChannelRestored,
) -> Observation:
    key = AlertKey(event.org_id, AlertType.NOTIFICATION_CHANNEL, "integration", event.channel_id)
    if isinstance(event, NotificationChannelRestored):
        return clear(key, event.occurred_at, event.reason)
    return holds(
        key,
        event.occurred_at,
        Severity.CRITICAL,
        f"Notification channel {event.channel_name} ({event.channel_kind}) was disabled after "
        f"{event.consecutive_failures} failed deliveries in a row ({event.reason})",
        {
            "channel_id": str(event.channel_id),
            "channel_name": event.channel_name,
            "channel_kind": event.channel_kind,
            "consecutive_failures": event.consecutive_failures,
            "reason": event.reason,
        },
    )
