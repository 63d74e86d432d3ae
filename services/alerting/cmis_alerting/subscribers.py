"""Which handler each event on the alerting queue goes to (sync.*, integration.* and
notification.*)."""

from __future__ import annotations

from cmis_alerting.handlers import CONSUMER, EventHandlers
from cmis_shared.consumer import EventConsumer
from cmis_shared.events import (
    IntegrationConnected,
    IntegrationDisconnected,
    IntegrationUpdated,
    NotificationChannelDisabled,
    NotificationChannelRestored,
    SyncCompleted,
    SyncFailed,
)
from cmis_shared.runtime import ServiceRuntime


def subscribe(runtime: ServiceRuntime, handlers: EventHandlers) -> EventConsumer:
    """Alerting is bound to the sync outcomes, integration and notification channel changes."""
    return runtime.consumer(
        CONSUMER,
        {
            SyncCompleted: handlers.sync_completed,
            SyncFailed: handlers.sync_failed,
            IntegrationConnected: handlers.integration_changed,
            IntegrationUpdated: handlers.integration_changed,
            IntegrationDisconnected: handlers.integration_disconnected,
            NotificationChannelDisabled: handlers.channel_changed,
            NotificationChannelRestored: handlers.channel_changed,
        },
    )
