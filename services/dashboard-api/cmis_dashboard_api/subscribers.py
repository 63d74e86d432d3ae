"""Event -> handler wiring of the dashboard's queue: it is bound to every event type, and
every event updates the materialized view (handlers/views.py)."""

from __future__ import annotations

from cmis_dashboard_api.handlers.views import DashboardViews
from cmis_shared.consumer import EventConsumer, Handler
from cmis_shared.events import EVENT_TYPES
from cmis_shared.runtime import ServiceRuntime

SERVICE = "dashboard-api"


def subscribe(runtime: ServiceRuntime, views: DashboardViews) -> EventConsumer:
    # No inbox claim: view updates are last-writer-wins by event time (domain/apply.py), so
    # a redelivered or late event changes nothing and the hot path stays off PostgreSQL.
    handlers: dict[type, Handler] = dict.fromkeys(EVENT_TYPES.values(), views.apply)
    return runtime.consumer(SERVICE, handlers)
