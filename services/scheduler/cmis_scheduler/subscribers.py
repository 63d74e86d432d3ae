"""Which event goes to which handler on the scheduler's queue."""

from __future__ import annotations

from cmis_scheduler.handlers.events import EventHandlers
from cmis_shared.consumer import EventConsumer
from cmis_shared.events import (
    IntegrationConnected,
    IntegrationDisconnected,
    IntegrationUpdated,
    SyncCompleted,
    SyncFailed,
)
from cmis_shared.runtime import ServiceRuntime


def subscribe(runtime: ServiceRuntime, handlers: EventHandlers) -> EventConsumer:
    return EventConsumer(
        runtime.broker,
        runtime.topology,
        "scheduler",
        {
            IntegrationConnected: handlers.on_integration,
            IntegrationUpdated: handlers.on_integration,
            IntegrationDisconnected: handlers.on_integration,
            SyncFailed: handlers.on_sync_failed,
            SyncCompleted: handlers.on_sync_completed,
        },
        metrics=runtime.metrics,
    )
