"""Which event goes to which handler on the scheduler's queue."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import NamedTuple

from cmis_scheduler.handlers.integration_events import IntegrationEvent
from cmis_shared.consumer import EventConsumer
from cmis_shared.events import (
    IntegrationConnected,
    IntegrationDisconnected,
    IntegrationUpdated,
    OrganizationSettingsChanged,
    SyncCompleted,
    SyncFailed,
)
from cmis_shared.runtime import ServiceRuntime


class Handlers(NamedTuple):
    """The handlers with their unit of work and policies bound (see bootstrap)."""

    on_integration: Callable[[IntegrationEvent], Awaitable[None]]
    on_sync_failed: Callable[[SyncFailed], Awaitable[None]]
    on_sync_completed: Callable[[SyncCompleted], Awaitable[None]]
    on_settings_changed: Callable[[OrganizationSettingsChanged], Awaitable[None]]


def subscribe(runtime: ServiceRuntime, handlers: Handlers) -> EventConsumer:
    return runtime.consumer(
        "scheduler",
        {
            IntegrationConnected: handlers.on_integration,
            IntegrationUpdated: handlers.on_integration,
            IntegrationDisconnected: handlers.on_integration,
            SyncFailed: handlers.on_sync_failed,
            SyncCompleted: handlers.on_sync_completed,
            OrganizationSettingsChanged: handlers.on_settings_changed,
        },
    )
