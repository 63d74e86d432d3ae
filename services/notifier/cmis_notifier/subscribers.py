"""Which handler each event on the notifier's queue goes to (alert.raised, alert.resolved)."""

from __future__ import annotations

from cmis_notifier.handlers import CONSUMER, AlertHandlers
from cmis_shared.consumer import EventConsumer
from cmis_shared.events import AlertRaised, AlertResolved
from cmis_shared.runtime import ServiceRuntime


def subscribe(runtime: ServiceRuntime, handlers: AlertHandlers) -> EventConsumer:
    return runtime.consumer(
        CONSUMER, {AlertRaised: handlers.raised, AlertResolved: handlers.resolved}
    )
