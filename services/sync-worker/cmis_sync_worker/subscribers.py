"""Event -> handler wiring: the worker consumes ``sync.requested`` from its priority queue."""

from __future__ import annotations

from cmis_shared.consumer import EventConsumer
from cmis_shared.events import SyncRequested
from cmis_shared.runtime import ServiceRuntime
from cmis_sync_worker.handlers import SyncRequestHandler

SERVICE = "sync-worker"


def subscribe(runtime: ServiceRuntime, handler: SyncRequestHandler) -> EventConsumer:
    return runtime.consumer(SERVICE, {SyncRequested: handler})
