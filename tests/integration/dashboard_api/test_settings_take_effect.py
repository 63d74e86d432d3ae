"""A settings change through the API changes what the running services do, without a
restart, through ``organization.settings_changed`` on the real broker: the scheduler
re-plans, alerting re-evaluates token expiry with the new thresholds, the dashboard shows
the new time zone, and the next manual trigger meets the organization's own limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy import text

from cmis_alerting.bootstrap import bootstrap as bootstrap_alerting
from cmis_alerting.settings import AlertingSettings
from cmis_dashboard_api import admin
from cmis_dashboard_api.bootstrap import Services
from cmis_shared.events import AlertRaised
from cmis_shared.settings import CmisSettings
from cmis_shared.uow import UnitOfWork
from tests.integration.alerting.harness import capture_alerts
from tests.integration.dashboard_api.conftest import Tenant
from tests.integration.dashboard_api.test_dashboard_view import connect, dashboard
from tests.integration.scheduler.conftest import StartScheduler, start_scheduler
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration
__all__ = ["start_scheduler"]  # the scheduler's fixture, used here too


async def _patch(client: httpx.AsyncClient, tenant: Tenant, body: dict[str, Any]) -> None:
    response = await client.patch(
        f"/api/orgs/{tenant.org_id}/settings", headers=tenant.headers, json=body
    )
    assert response.status_code == 200, response.text


async def _rows(services: Services, statement: str, **params: Any) -> list[Any]:
    async with services.runtime.sessions() as session:
        return list((await session.execute(text(statement), params)).all())


async def test_the_running_scheduler_replans_for_new_periods(
    client: httpx.AsyncClient, services: Services, tenant: Tenant, start_scheduler: StartScheduler
) -> None:
    await start_scheduler()
    integration_id = await connect(services, tenant)

    async def entries() -> dict[str, tuple[int, bool]]:
        rows = await _rows(
            services,
            "SELECT data_type, period_seconds, enabled FROM schedule_entries "
            "WHERE integration_id = :id",
            id=integration_id,
        )
        return {row.data_type: (row.period_seconds, row.enabled) for row in rows}

    planned = {"metrics": (3600, True), "campaigns": (14400, True), "all": (86400, True)}
    await eventually(lambda: _equals(entries(), planned), within=60)

    await _patch(client, tenant, {"schedules": {"metrics_seconds": 900, "campaigns_seconds": 0}})
    replanned = {"metrics": (900, True), "campaigns": (14400, False), "all": (86400, True)}
    await eventually(lambda: _equals(entries(), replanned), within=60)
    [due] = await _rows(
        services,
        "SELECT next_due_at FROM schedule_entries WHERE integration_id = :id "
        "AND data_type = 'metrics'",
        id=integration_id,
    )
    assert due.next_due_at <= datetime.now(UTC) + timedelta(seconds=900)  # the new period


async def _equals(value: Any, expected: object) -> bool:
    return (await value) == expected


async def test_alerting_warns_at_once_when_the_token_warning_period_grows(
    client: httpx.AsyncClient,
    services: Services,
    tenant: Tenant,
    settings: CmisSettings,
    tracer_provider: TracerProvider,
) -> None:
    alerting = bootstrap_alerting(
        AlertingSettings(
            **settings.model_dump(exclude={"service_name"}),
            token_check_enabled=False,  # no timer: only the settings event can raise it
            dead_letter_check_enabled=False,
            alert_history_retention_enabled=False,
        ),
        tracer_provider,
    )
    exchange = alerting.runtime.topology.exchange.name
    async with alerting.app(), capture_alerts(settings, exchange, {tenant.org_id}) as capture:
        async with UnitOfWork(services.runtime.sessions) as uow:
            integration = await admin.connect_integration(
                uow, tenant.org_id, "meta", "act_1", "Meta Ads", {"access_token": "secret-t"},
                token_expires_at=datetime.now(UTC) + timedelta(days=10), cipher=services.cipher,
            )  # fmt: skip
            await uow.commit()

        async def connected_seen() -> bool:  # evaluated: 10 days left, beyond the 7 default
            rows = await _rows(
                services, "SELECT 1 FROM processed_events WHERE consumer = 'alerting'"
            )
            return len(rows) >= 1

        await eventually(connected_seen, within=60)
        await _patch(client, tenant, {"alerts": {"token_warning_days": 14}})
        [raised] = await capture.wait_for(1)
    assert isinstance(raised, AlertRaised)
    assert raised.alert_type == "token_expiry"
    assert raised.severity == "warning"
    assert raised.subject_id == integration.id


async def test_the_dashboard_shows_the_new_time_zone(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    assert (await dashboard(client, tenant))["timezone"] == "UTC"  # materialized in Redis

    await _patch(client, tenant, {"timezone": "Asia/Tokyo"})

    async def shown() -> bool:
        return (await dashboard(client, tenant))["timezone"] == "Asia/Tokyo"

    await eventually(shown, within=60)


async def test_the_next_manual_trigger_meets_the_organizations_own_limit(
    client: httpx.AsyncClient, services: Services, tenant: Tenant
) -> None:
    await connect(services, tenant)
    await _patch(client, tenant, {"manual_triggers": {"limit": 1, "window_seconds": 3600}})
    url = f"/api/orgs/{tenant.org_id}/sync/trigger"
    first = await client.post(url, headers=tenant.headers)
    second = await client.post(url, headers=tenant.headers)
    assert first.status_code == 202, first.text
    assert second.status_code == 429  # the process allows 1000 a minute
    assert int(second.headers["Retry-After"]) > 60  # the organization's hour-long window
