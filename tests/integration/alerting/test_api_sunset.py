"""The API-sunset rule wired end to end: sync.completed events carrying the worker's API
version and its end of life, through the real broker into a running alerting service with an
injected clock: warned at 60 days, escalated at 14, announced once each, resolved when the
syncs speak a newer version."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from opentelemetry.sdk.trace import TracerProvider

from cmis_alerting.bootstrap import AlertingService, bootstrap
from cmis_alerting.settings import AlertingSettings
from cmis_shared.clock import ManualClock
from cmis_shared.events import AlertRaised, SyncCompleted
from tests.integration.alerting.harness import alerts_of, capture_alerts, deliver

pytestmark = pytest.mark.integration

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SUNSET = date(2027, 1, 20)  # 49.6 days after T0


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
async def sunset_service(
    alerting_settings: AlertingSettings, tracer_provider: TracerProvider, clock: ManualClock
) -> AsyncIterator[AlertingService]:
    alerting = bootstrap(alerting_settings, tracer_provider, clock=clock)
    async with alerting.app():
        yield alerting


def _completed(
    org: uuid.UUID, integration: uuid.UUID, at: datetime, version: str, sunset: date | None
) -> SyncCompleted:
    return SyncCompleted.model_validate({
        "org_id": org, "run_id": uuid.uuid4(), "integration_id": integration,
        "platform": "google", "data_type": "metrics", "trigger": "scheduled", "attempt": 1,
        "started_at": at, "finished_at": at, "duration_ms": 5, "occurred_at": at,
        "api_version": version, "api_sunset_on": sunset,
    })  # fmt: skip


async def test_sunset_warns_escalates_and_resolves_on_a_new_version(
    sunset_service: AlertingService, clock: ManualClock
) -> None:
    service, org, integration = sunset_service, uuid.uuid4(), uuid.uuid4()
    exchange = service.runtime.topology.exchange.name

    async def sync(days: float, version: str = "v21", sunset: date | None = SUNSET) -> None:
        clock.set(T0 + timedelta(days=days))
        await deliver(service, _completed(org, integration, clock(), version, sunset))

    async with capture_alerts(service.settings, exchange, {org}) as capture:
        await sync(0)  # warning: 49.6 days left
        await sync(1)  # same severity: nothing announced
        await sync(40)  # 9.6 days left: critical
        await sync(60)  # past the date: still the one critical alert
        await sync(61, version="v24", sunset=date(2027, 5, 1))  # upgraded
        events = await capture.wait_for(3)

    assert [(e.event_type, str(e.severity)) for e in events] == [
        ("alert.raised", "warning"),
        ("alert.raised", "critical"),
        ("alert.resolved", "critical"),
    ]
    assert isinstance(events[1], AlertRaised) and events[1].escalated
    assert events[0].details == {
        "platform": "google", "api_version": "v21", "api_sunset_on": "2027-01-20",
    }  # fmt: skip
    [alert] = await alerts_of(service, org)
    assert (alert.alert_type, alert.subject_id, alert.status) == (
        "api_sunset", integration, "resolved",
    )  # fmt: skip
