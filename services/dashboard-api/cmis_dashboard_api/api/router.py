"""All API routes under ``/api``."""

from __future__ import annotations

from fastapi import APIRouter

from cmis_dashboard_api.api import auth, content, dashboard, integrations, kpis, live, orgs, sync

api_router = APIRouter(prefix="/api")
for module in (auth, orgs, dashboard, sync, integrations, kpis, content, live):
    api_router.include_router(module.router)
