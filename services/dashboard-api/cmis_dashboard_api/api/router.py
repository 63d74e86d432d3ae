"""All API routes under ``/api``."""

from __future__ import annotations

from fastapi import APIRouter

from cmis_dashboard_api.api import (
    alerts,
    audit,
    auth,
    backfills,
    campaigns,
    content,
    dashboard,
    integrations,
    kpis,
    live,
    members,
    metrics,
    notifications,
    oauth,
    orgs,
    posts,
    settings,
    sync,
)

api_router = APIRouter(prefix="/api")
for module in (auth, orgs, dashboard, sync, integrations, oauth, kpis, content, live):
    api_router.include_router(module.router)
for module in (campaigns, metrics, posts, alerts):  # the chart and table data
    api_router.include_router(module.router)
for module in (settings, members, audit, notifications, backfills):
    api_router.include_router(module.router)
