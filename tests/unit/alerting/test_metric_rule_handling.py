"""A metrics sync through the event handler over fakes: the stored figures are judged on the
last complete account day, anomalies raise once per campaign and organization, a normal day
resolves them, and the organization's sensitivity applies."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from cmis_alerting.domain.metric_rules import organization_subject_id
from cmis_alerting.domain.series import CampaignSeries, DayFigures
from cmis_alerting.domain.thresholds import Thresholds
from cmis_alerting.handlers import EventHandlers
from cmis_shared.clock import ManualClock
from cmis_shared.events import AlertRaised, AlertResolved, BudgetPeriod
from tests.unit.alerting.factories import INTEGRATION, ORG, sync_completed
from tests.unit.alerting.fakes import FakeStore

pytestmark = pytest.mark.unit

TODAY = date(2025, 3, 31)
JUDGED = TODAY - timedelta(days=1)
NOW = datetime(2025, 3, 31, 9, tzinfo=UTC)  # 11:00 in Berlin, the account's zone
CAMPAIGN = uuid.UUID("00000000-0000-0000-0000-0000000000c1")


def figures(n: int) -> DayFigures:
    wobble = (1.0, 1.05, 0.95, 1.02, 0.98)[n % 5]
    impressions = int(10_000 * wobble)
    clicks = impressions // 50
    return DayFigures(Decimal(clicks), impressions, clicks, Decimal(clicks // 10))


def stored(spike: Decimal = Decimal(1), budget: str | None = None) -> CampaignSeries:
    days = {TODAY - timedelta(days=n): figures(n) for n in range(40)}
    days[JUDGED] = replace(days[JUDGED], spend=days[JUDGED].spend * spike)
    return CampaignSeries(
        campaign_id=CAMPAIGN, integration_id=INTEGRATION, name="Spring", platform="google",
        status="active", currency="EUR", days=days,
        budget_amount=Decimal(budget) if budget else None,
        budget_period=BudgetPeriod.DAILY if budget else None,
    )  # fmt: skip


def metrics_sync(at: datetime = NOW):  # type: ignore[no-untyped-def]
    return sync_completed(
        at, data_type="metrics", range_start=TODAY - timedelta(days=3), range_end=TODAY
    )


def handlers(store: FakeStore) -> EventHandlers:
    return EventHandlers(store.uow, Thresholds(), ManualClock(NOW))


def store_with(campaign: CampaignSeries) -> FakeStore:
    store = FakeStore()
    store.state.timezones[INTEGRATION] = "Europe/Berlin"
    store.state.campaigns[INTEGRATION] = [campaign]
    return store


async def test_a_spike_on_the_last_complete_day_raises_once_and_a_normal_day_resolves_it() -> None:
    store = store_with(stored(spike=Decimal(4)))
    await handlers(store).sync_completed(metrics_sync())
    raised = [e for e in store.events() if isinstance(e, AlertRaised)]
    spikes = {
        (e.alert_type, e.subject_type, e.subject_id)
        for e in raised
        if e.alert_type == "spend_spike"
    }
    # The campaign's, and the organization's total (its only campaign) in EUR.
    assert spikes == {
        ("spend_spike", "campaign", CAMPAIGN),
        ("spend_spike", "organization", organization_subject_id(ORG, "EUR")),
    }
    campaign_spike = next(
        e for e in raised if e.subject_type == "campaign" and e.alert_type == "spend_spike"
    )
    assert "2025-03-30" in campaign_spike.message and campaign_spike.details[
        "integration_id"
    ] == str(INTEGRATION)

    # The same figures again: nothing new is announced.
    before = len(store.events())
    await handlers(store).sync_completed(metrics_sync(NOW + timedelta(minutes=30)))
    assert len(store.events()) == before

    # The day re-read without the spike: both resolve.
    store.state.campaigns[INTEGRATION] = [stored()]
    await handlers(store).sync_completed(metrics_sync(NOW + timedelta(hours=1)))
    resolved = [e for e in store.events()[before:] if isinstance(e, AlertResolved)]
    assert sorted((e.alert_type, e.subject_type) for e in resolved) == [
        ("cost_per_result_rise", "campaign"), ("cost_per_result_rise", "organization"),
        ("spend_spike", "campaign"), ("spend_spike", "organization"),
    ]  # fmt: skip
    assert all(e.reason.endswith("is back in its usual range") for e in resolved)


async def test_a_sync_without_metrics_judges_nothing() -> None:
    store = store_with(stored(spike=Decimal(4)))
    await handlers(store).sync_completed(sync_completed(NOW, data_type="campaigns"))
    assert not [e for e in store.events() if getattr(e, "alert_type", "") == "spend_spike"]


async def test_the_organizations_sensitivity_applies() -> None:
    store = store_with(stored(spike=Decimal("1.8")))
    await handlers(store).sync_completed(metrics_sync())
    assert any(getattr(e, "alert_type", "") == "spend_spike" for e in store.events())

    quiet = store_with(stored(spike=Decimal("1.8")))
    quiet.state.org_settings[ORG] = {"alerts": {"anomaly_sensitivity": "low"}}
    await handlers(quiet).sync_completed(metrics_sync())
    assert not any(getattr(e, "alert_type", "") == "spend_spike" for e in quiet.events())


async def test_pacing_is_judged_on_current_figures_only() -> None:
    # A 2-a-day budget against ~200 a day: Google's monthly limit (60.80) is long gone.
    store = store_with(stored(budget="2"))
    await handlers(store).sync_completed(metrics_sync())
    [pacing] = [e for e in store.events() if getattr(e, "alert_type", "") == "budget_pacing"]
    assert isinstance(pacing, AlertRaised) and pacing.severity == "critical"
    assert "monthly limit of 60.80 EUR" in pacing.message

    # Figures that stop three days ago are stale: no pacing judgement at all.
    stale = stored(budget="2")
    stale = replace(
        stale, days={d: f for d, f in stale.days.items() if d <= TODAY - timedelta(days=3)}
    )
    store = store_with(stale)
    await handlers(store).sync_completed(metrics_sync())
    assert not [e for e in store.events() if getattr(e, "alert_type", "") == "budget_pacing"]
