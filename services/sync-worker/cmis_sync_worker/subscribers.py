"""Event -> handler wiring: the worker consumes ``sync.requested`` from its lanes (one quorum
queue per trigger: manual, retry, scheduled, backfill), a consumer per lane, and a priority
gate admits ``prefetch_count`` syncs at a time, a higher lane's first (see
:mod:`cmis_shared.priority_gate`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from cmis_shared.consumer import EventConsumer
from cmis_shared.events import SyncRequested
from cmis_shared.priority_gate import PriorityGate
from cmis_shared.runtime import ServiceRuntime

SERVICE = "sync-worker"


def subscribe(
    runtime: ServiceRuntime,
    handler: Callable[[SyncRequested], Awaitable[None]],
    gate: PriorityGate | None = None,
) -> list[EventConsumer]:
    """``gate`` defaults to one of ``prefetch_count`` slots; a test passes its own to see who
    waits at it."""
    if gate is None:
        gate = PriorityGate(runtime.settings.prefetch_count)
    return [
        runtime.consumer(SERVICE, {SyncRequested: gate.gated(handler, rank)}, queue=queue)
        for rank, queue in enumerate(runtime.topology.queues(SERVICE))
    ]
