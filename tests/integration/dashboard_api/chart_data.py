"""Platform data and alerts as their writers store them (sync-worker, alerting), for the
dashboard API's tests of the chart and table routes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from cmis_dashboard_api import admin
from cmis_dashboard_api.bootstrap import Services
from cmis_shared.db.models import Alert, AlertHistory, Campaign, DailyMetric
from cmis_shared.uow import UnitOfWork
from tests.integration.dashboard_api.conftest import Tenant

TODAY = datetime.now(UTC).date()


async def connect(services: Services, tenant: Tenant, platform: str, account: str) -> uuid.UUID:
    async with UnitOfWork(services.runtime.sessions) as uow:
        row = await admin.connect_integration(
            uow, tenant.org_id, platform, account, f"{platform} ads", {"access_token": "secret"},
            currency="USD", cipher=services.cipher,
        )  # fmt: skip
        await uow.commit()
    return row.id


async def seed_campaign(
    services: Services,
    tenant: Tenant,
    integration_id: uuid.UUID,
    name: str,
    daily: dict[int, tuple[str, int, int]],  # days ago -> (spend, impressions, clicks)
    budget: tuple[str, str] | None = None,
    platform: str = "google",
) -> None:
    async with services.runtime.sessions() as session, session.begin():
        session.add(
            Campaign(
                org_id=tenant.org_id, integration_id=integration_id, platform=platform,
                external_id=name, name=name, status="active", currency="USD",
                budget_amount=Decimal(budget[0]) if budget else None,
                budget_period=budget[1] if budget else None,
            )
        )  # fmt: skip
        for days_ago, (spend, impressions, clicks) in daily.items():
            session.add(
                DailyMetric(
                    integration_id=integration_id, campaign_external_id=name,
                    day=TODAY - timedelta(days=days_ago), org_id=tenant.org_id, currency="USD",
                    impressions=impressions, clicks=clicks, spend=Decimal(spend),
                    conversions=Decimal(1), conversion_value=Decimal(0),
                )
            )  # fmt: skip


async def get(client: httpx.AsyncClient, tenant: Tenant, path: str, **params: Any) -> Any:
    response = await client.get(
        f"/api/orgs/{tenant.org_id}{path}", headers=tenant.headers, params=params
    )
    assert response.status_code == 200, response.text
    return response.json()


async def seed_alert(
    services: Services, tenant: Tenant, status: str = "open", subject_type: str = "integration"
) -> uuid.UUID:
    """An alert as alerting stores it (with its history row)."""
    alert_id, now = uuid.uuid4(), datetime.now(UTC)
    async with services.runtime.sessions() as session, session.begin():
        session.add(
            Alert(
                id=alert_id, org_id=tenant.org_id, alert_type="sync_failure",
                subject_type=subject_type, subject_id=uuid.uuid4(), severity="critical",
                status=status, message="sync failed", first_seen_at=now, last_seen_at=now,
                details={"integration_id": str(uuid.uuid4())},
                resolved_at=now if status == "resolved" else None,
            )
        )  # fmt: skip
        await session.flush()
        session.add(AlertHistory(alert_id=alert_id, action="raised", severity="critical"))
    return alert_id
