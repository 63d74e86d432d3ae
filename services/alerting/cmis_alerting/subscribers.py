"""Which handler each event on the alerting queue goes to (sync.*, integration.* and
notification.*)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from cmis_alerting.handlers import CONSUMER, AlertCommands, EventHandlers
from cmis_shared.consumer import EventConsumer
from cmis_shared.events import (
    AlertCommand,
    IntegrationConnected,
    IntegrationDisconnected,
    IntegrationUpdated,
    NotificationChannelDisabled,
    NotificationChannelRestored,
    OrganizationSettingsChanged,
    SyncCompleted,
    SyncFailed,
)
from cmis_shared.runtime import ServiceRuntime


def subscribe(
    runtime: ServiceRuntime,
    handlers: EventHandlers,
    commands: AlertCommands,
    settings_changed: Callable[[OrganizationSettingsChanged], Awaitable[None]],
) -> EventConsumer:
    """Alerting is bound to the sync outcomes, integration, settings and notification channel
    changes, and users' commands."""
    return runtime.consumer(
        CONSUMER,
        {
            SyncCompleted: handlers.sync_completed,
            SyncFailed: handlers.sync_failed,
            IntegrationConnected: handlers.integration_changed,
            IntegrationUpdated: handlers.integration_changed,
            IntegrationDisconnected: handlers.integration_disconnected,
            AlertCommand: commands.apply,
            OrganizationSettingsChanged: settings_changed,
            NotificationChannelDisabled: handlers.channel_changed,
            NotificationChannelRestored: handlers.channel_changed,
        },
    )
