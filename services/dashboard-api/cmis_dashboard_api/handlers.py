"""Event handlers: every event the dashboard consumes updates the materialized view.

No inbox claim here: view updates are last-writer-wins by event time (see domain/apply.py),
so a redelivered or late event changes nothing, and the hot path stays off PostgreSQL.
"""

from __future__ import annotations

from cmis_dashboard_api.views import DashboardViews
from cmis_shared.events import Event


class ViewUpdater:
    def __init__(self, views: DashboardViews) -> None:
        self._views = views

    async def __call__(self, event: Event) -> None:
        await self._views.apply(event)
