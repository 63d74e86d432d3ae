"""Sequences of sync and integration events through the real broker into a running alerting
service: the exact alerts stored and announced, with duplicates and out-of-order delivery."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from cmis_alerting.adapters.alert_store import AlertStore
from cmis_alerting.bootstrap import AlertingService
from cmis_alerting.domain.lifecycle import StoredAlert
from cmis_alerting.domain.observations import AlertKey
from cmis_shared.db.models import Organization
from cmis_shared.events import (
    AlertRaised,
    AlertResolved,
    BudgetPeriod,
    CampaignFact,
    IntegrationConnected,
    IntegrationDisconnected,
    IntegrationUpdated,
    SyncCompleted,
    SyncFailed,
)
from tests.integration.alerting.harness import alerts_of, capture_alerts, deliver, history_of

pytestmark = pytest.mark.integration

T0 = datetime.now(UTC).replace(microsecond=0)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def _campaign(campaign_id: uuid.UUID, lifetime: str, name: str = "Summer") -> CampaignFact:
    return CampaignFact(
        campaign_id=campaign_id, external_id="c-1", name=name, status="active", currency="EUR",
        budget_amount=Decimal(1000), budget_period=BudgetPeriod.LIFETIME,
        spend_lifetime=Decimal(lifetime),
    )  # fmt: skip


def _completed(
    org: uuid.UUID, integration: uuid.UUID, seconds: float, **fields: object
) -> SyncCompleted:
    return SyncCompleted.model_validate({
        "org_id": org, "run_id": uuid.uuid4(), "integration_id": integration,
        "platform": "google", "data_type": "all", "trigger": "scheduled", "attempt": 1,
        "started_at": at(seconds), "finished_at": at(seconds), "duration_ms": 5,
        "occurred_at": at(seconds), **fields,
    })  # fmt: skip


def _failed(
    org: uuid.UUID,
    integration: uuid.UUID,
    seconds: float,
    message: str,
    *,
    will_retry: bool = False,
) -> SyncFailed:
    return SyncFailed(
        org_id=org, run_id=uuid.uuid4(), integration_id=integration, platform="meta",
        data_type="metrics", trigger="retry", attempt=3, error_class="platform_error",
        message=message, retryable=True, will_retry=will_retry, occurred_at=at(seconds),
    )  # fmt: skip


def _kinds(events: list[AlertRaised | AlertResolved]) -> list[tuple[str, str, bool]]:
    return [
        (e.event_type, str(e.severity), isinstance(e, AlertRaised) and e.escalated) for e in events
    ]


async def test_budget_alert_raises_once_escalates_ignores_stale_and_resolves(
    service: AlertingService,
) -> None:
    org, integration, summer = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    spend = lambda lifetime, seconds: _completed(  # noqa: E731
        org, integration, seconds, campaigns=[_campaign(summer, lifetime)]
    )
    exchange = service.runtime.topology.exchange.name
    async with capture_alerts(service.settings, exchange, {org}) as capture:
        await deliver(service, spend("850", 0))  # below 90 %: nothing
        warning = spend("900", 10)
        await deliver(service, warning)
        await deliver(service, warning)  # duplicate delivery: no effect
        await deliver(service, spend("950", 20))  # still warning: last-seen only
        critical = spend("1000", 30)
        await deliver(service, critical)
        await deliver(service, spend("920", 25))  # older than the escalation: ignored
        recovered = spend("100", 40)
        await deliver(service, recovered)
        await deliver(service, spend("2000", 35))  # older than the resolution: no reopen
        events = await capture.wait_for(3)

    assert _kinds(events) == [
        ("alert.raised", "warning", False),
        ("alert.raised", "critical", True),
        ("alert.resolved", "critical", False),
    ]
    assert events[0].message == "Campaign 'Summer' has used 90% of budget"
    assert events[0].details["currency"] == "EUR"
    assert events[1].correlation_id == critical.correlation_id
    [alert] = await alerts_of(service, org)
    assert {e.alert_id for e in events} == {alert.id}
    assert (alert.status, alert.severity, alert.subject_id) == ("resolved", "critical", summer)
    assert (alert.first_seen_at, alert.last_seen_at, alert.resolved_at) == (at(10), at(30), at(40))
    assert await history_of(service, alert.id) == [
        ("raised", warning.event_id),
        ("escalated", critical.event_id),
        ("resolved", recovered.event_id),
    ]


async def test_final_sync_failures_update_one_alert_and_a_success_resolves_it(
    service: AlertingService,
) -> None:
    org, integration = uuid.uuid4(), uuid.uuid4()
    exchange = service.runtime.topology.exchange.name
    async with capture_alerts(service.settings, exchange, {org}) as capture:
        await deliver(service, _failed(org, integration, 0, "timeout", will_retry=True))
        first = _failed(org, integration, 10, "HTTP 500")
        await deliver(service, first)
        second = _failed(org, integration, 20, "HTTP 502 Bad Gateway")
        await deliver(service, second)
        await deliver(service, second)  # duplicate
        success = _completed(org, integration, 30)
        await deliver(service, success)
        await deliver(service, _failed(org, integration, 25, "HTTP 500"))  # before the success
        events = await capture.wait_for(3)

    assert [(e.event_type, getattr(e, "occurrences", None)) for e in events] == [
        ("alert.raised", 1), ("alert.raised", 2), ("alert.resolved", None),
    ]  # fmt: skip
    assert isinstance(events[1], AlertRaised)
    assert events[1].details["last_error"] == "HTTP 502 Bad Gateway"
    [alert] = await alerts_of(service, org)
    assert (alert.alert_type, alert.subject_id, alert.occurrences) == (
        "sync_failure", integration, 2,
    )  # fmt: skip
    assert alert.details["last_error"] == "HTTP 502 Bad Gateway"
    assert alert.status == "resolved"
    assert await history_of(service, alert.id) == [
        ("raised", first.event_id), ("updated", second.event_id), ("resolved", success.event_id),
    ]  # fmt: skip


async def test_integration_token_pause_and_disconnect(service: AlertingService) -> None:
    org, integration, summer = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    now = datetime.now(UTC)

    def facts(
        cls: type[IntegrationConnected | IntegrationUpdated], seconds: float, **changes: object
    ) -> IntegrationConnected | IntegrationUpdated:
        return cls.model_validate({
            "org_id": org, "integration_id": integration, "platform": "linkedin",
            "account_id": "a-1", "account_name": "Main", "status": "active",
            "token_expires_at": now + timedelta(days=60), "occurred_at": at(seconds), **changes,
        })  # fmt: skip

    exchange = service.runtime.topology.exchange.name
    async with capture_alerts(service.settings, exchange, {org}) as capture:
        await deliver(
            service, facts(IntegrationConnected, 0, token_expires_at=now + timedelta(days=3))
        )
        await deliver(
            service, facts(IntegrationUpdated, 10, token_expires_at=now + timedelta(hours=5))
        )
        await deliver(
            service,
            facts(
                IntegrationUpdated, 20, status="paused", token_expires_at=now + timedelta(hours=5)
            ),
        )
        await capture.wait_for(3)
        await deliver(service, facts(IntegrationUpdated, 30))  # active, token refreshed
        await capture.wait_for(5)
        budget = _completed(org, integration, 40, campaigns=[_campaign(summer, "990")])
        await deliver(service, budget)
        failure = _failed(org, integration, 50, "HTTP 500")
        await deliver(service, failure)
        await capture.wait_for(7)
        gone = IntegrationDisconnected(
            org_id=org, integration_id=integration, platform="linkedin", occurred_at=at(60)
        )
        await deliver(service, gone)
        events = await capture.wait_for(9)

    summary = [(e.event_type, str(e.alert_type), str(e.severity)) for e in events]
    assert summary[:3] == [
        ("alert.raised", "token_expiry", "warning"),
        ("alert.raised", "token_expiry", "critical"),
        ("alert.raised", "integration_paused", "critical"),
    ]
    assert isinstance(events[1], AlertRaised) and events[1].escalated
    assert sorted(summary[3:5]) == [
        ("alert.resolved", "integration_paused", "critical"),
        ("alert.resolved", "token_expiry", "critical"),
    ]
    assert sorted(summary[5:7]) == [
        ("alert.raised", "budget", "warning"), ("alert.raised", "sync_failure", "critical"),
    ]  # fmt: skip
    assert sorted(summary[7:]) == [
        ("alert.resolved", "budget", "warning"), ("alert.resolved", "sync_failure", "critical"),
    ]  # fmt: skip
    assert all(e.reason == "integration disconnected" for e in events[7:])  # type: ignore[union-attr]
    alerts = await alerts_of(service, org)
    assert len(alerts) == 4 and all(a.status == "resolved" for a in alerts)


async def test_organization_thresholds_override_the_defaults(service: AlertingService) -> None:
    org, integration, campaign = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    async with service.runtime.sessions() as session, session.begin():
        session.add(Organization(
            id=org, name="Thrifty", settings={"alerts": {"budget_warning_pct": 50}}
        ))  # fmt: skip
    exchange = service.runtime.topology.exchange.name
    async with capture_alerts(service.settings, exchange, {org}) as capture:
        await deliver(
            service, _completed(org, integration, 0, campaigns=[_campaign(campaign, "600")])
        )
        [event] = await capture.wait_for(1)
    assert isinstance(event, AlertRaised)
    assert (event.severity, event.message) == (
        "warning",
        "Campaign 'Summer' has used 60% of budget",
    )


async def test_an_alert_opened_concurrently_is_updated_not_a_failed_delivery(
    service: AlertingService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two final failures of one integration handled at the same moment: the second handler
    looked before the first committed, so its insert meets the one-open-alert index. It is
    handled again at once and counts the occurrence, instead of failing (and waiting for a
    redelivery with an error in the log)."""
    org, integration = uuid.uuid4(), uuid.uuid4()
    first, late = _failed(org, integration, 0, "HTTP 500"), _failed(org, integration, 1, "HTTP 502")
    real_latest = AlertStore.latest
    raced = False

    async def latest_before_the_other_commits(
        store: AlertStore, key: AlertKey
    ) -> StoredAlert | None:
        nonlocal raced
        if raced:
            return await real_latest(store, key)
        raced = True
        await service.handlers.sync_failed(first)  # the other handler wins the race
        return None  # what this handler saw a moment earlier

    monkeypatch.setattr(AlertStore, "latest", latest_before_the_other_commits)
    await service.handlers.sync_failed(late)

    [alert] = await alerts_of(service, org)
    assert (alert.status, alert.occurrences, alert.details["last_error"]) == (
        "open", 2, "HTTP 502",
    )  # fmt: skip
    assert await history_of(service, alert.id) == [
        ("raised", first.event_id), ("updated", late.event_id),
    ]  # fmt: skip
