"""Event -> handler wiring of the dashboard's queue (it is bound to every event type)."""

from __future__ import annotations

from cmis_dashboard_api.handlers import ViewUpdater
from cmis_dashboard_api.views import DashboardViews
from cmis_shared.consumer import EventConsumer, Handler
from cmis_shared.events import EVENT_TYPES
from cmis_shared.runtime import ServiceRuntime

SERVICE = "dashboard-api"


def subscribe(runtime: ServiceRuntime, views: DashboardViews) -> EventConsumer:
    update = ViewUpdater(views)
    handlers: dict[type, Handler] = dict.fromkeys(EVENT_TYPES.values(), update)
    return EventConsumer(
        runtime.broker, runtime.topology, SERVICE, handlers, metrics=runtime.metrics
    )
