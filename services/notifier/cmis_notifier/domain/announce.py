"""The events the notifier emits: a channel it disabled, for alerting to raise an alert on
(through the outbox, in the transaction that disabled it)."""

from __future__ import annotations

from uuid import UUID

from cmis_notifier.domain.records import ClaimedNotification, Recorded
from cmis_shared.events import Event, NotificationChannelDisabled

SYSTEM_ORG_ID = UUID(int=0)  # the operators' channel belongs to no organization


def channel_events(claimed: ClaimedNotification, recorded: Recorded) -> list[Event]:
    if not recorded.channel_disabled:
        return []
    return [
        NotificationChannelDisabled(
            org_id=recorded.org_id or SYSTEM_ORG_ID,
            channel_id=claimed.channel_id,
            channel_name=recorded.channel_name,
            channel_kind=claimed.channel_kind,
            consecutive_failures=recorded.channel_failures,
            reason=recorded.reason or "failed",
        )
    ]
