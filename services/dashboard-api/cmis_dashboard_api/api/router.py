"""All API routes under ``/api``."""

from __future__ import annotations

from fastapi import APIRouter

from cmis_dashboard_api.api import (
    content,
    dashboard,
    integrations,
    kpis,
    live,
    notifications,
    orgs,
    sync,
)

api_router = APIRouter(prefix="/api")
for module in (orgs, dashboard, sync, integrations, kpis, content, live, notifications):
    api_router.include_router(module.router)
