"""The metric rules' handler step over the in-memory metrics repository: a sync that read no
metrics reads nothing, the stored figures are read over the lookback window ending on the
account's own date, and a spike on the judged day is observed for the campaign and the
organization."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from cmis_alerting.domain.metric_rules import LOOKBACK_DAYS, organization_subject_id
from cmis_alerting.domain.series import AccountDay, CampaignSeries, DayFigures
from cmis_alerting.domain.thresholds import Thresholds
from cmis_alerting.handlers.metric_rules import metric_rule_observations
from cmis_alerting.ports import MetricsRepository
from cmis_shared.events import SyncCompleted
from tests.unit.alerting.factories import INTEGRATION, ORG, sync_completed
from tests.unit.alerting.fakes import FakeStore

pytestmark = pytest.mark.unit

# 23:30 UTC is already the next day in Tokyo, the account's zone.
NOW = datetime(2025, 3, 30, 23, 30, tzinfo=UTC)
TOKYO_TODAY = date(2025, 3, 31)
CAMPAIGN = uuid.UUID("00000000-0000-0000-0000-0000000000c1")


class Recorded:
    """The metrics repository, with the windows asked of it."""

    def __init__(self, inner: MetricsRepository) -> None:
        self.inner = inner
        self.calls: list[tuple[str, object, date | None, date | None]] = []

    async def integration_timezone(self, integration_id: uuid.UUID) -> str | None:
        self.calls.append(("timezone", integration_id, None, None))
        return await self.inner.integration_timezone(integration_id)

    async def campaign_series(
        self, integration_id: uuid.UUID, since: date, until: date
    ) -> list[CampaignSeries]:
        self.calls.append(("campaigns", integration_id, since, until))
        return await self.inner.campaign_series(integration_id, since, until)

    async def organization_days(
        self, org_id: uuid.UUID, since: date, until: date
    ) -> list[AccountDay]:
        self.calls.append(("organization", org_id, since, until))
        return await self.inner.organization_days(org_id, since, until)


def stored(spike_on: date | None) -> FakeStore:
    def figures(day: date) -> DayFigures:
        clicks = 200 * (5 if day == spike_on else 1)
        return DayFigures(Decimal(clicks), 10_000, clicks, Decimal(clicks // 10))

    days = {
        TOKYO_TODAY - timedelta(days=n): figures(TOKYO_TODAY - timedelta(days=n)) for n in range(40)
    }
    store = FakeStore()
    store.state.timezones[INTEGRATION] = "Asia/Tokyo"
    store.state.campaigns[INTEGRATION] = [
        CampaignSeries(
            campaign_id=CAMPAIGN, integration_id=INTEGRATION, name="Spring", platform="google",
            status="active", currency="JPY", days=days,
        )
    ]  # fmt: skip
    return store


def metrics_sync() -> SyncCompleted:
    return sync_completed(
        NOW, data_type="metrics", range_start=TOKYO_TODAY - timedelta(days=3), range_end=TOKYO_TODAY
    )


async def test_a_sync_that_read_no_metrics_reads_nothing_and_observes_nothing() -> None:
    async with stored(spike_on=TOKYO_TODAY - timedelta(days=1)).uow() as uow:
        metrics = Recorded(uow.metrics)
        campaigns_only = sync_completed(NOW, data_type="campaigns")
        assert await metric_rule_observations(metrics, campaigns_only, Thresholds(), NOW) == []
    assert metrics.calls == []


async def test_the_window_ends_on_the_accounts_own_date() -> None:
    async with stored(spike_on=None).uow() as uow:
        metrics = Recorded(uow.metrics)
        await metric_rule_observations(metrics, metrics_sync(), Thresholds(), NOW)
    since = TOKYO_TODAY - timedelta(days=LOOKBACK_DAYS)
    assert metrics.calls == [
        ("timezone", INTEGRATION, None, None),
        ("campaigns", INTEGRATION, since, TOKYO_TODAY),
        ("organization", ORG, since, TOKYO_TODAY),
    ]


async def test_a_spike_on_the_judged_day_is_observed_for_the_campaign_and_the_organization() -> (
    None
):
    async with stored(spike_on=TOKYO_TODAY - timedelta(days=1)).uow() as uow:
        observed = await metric_rule_observations(uow.metrics, metrics_sync(), Thresholds(), NOW)
    firing = {
        (o.key.alert_type, o.key.subject_type, o.key.subject_id)
        for o in observed
        if o.severity is not None
    }
    assert ("spend_spike", "campaign", CAMPAIGN) in firing
    assert ("spend_spike", "organization", organization_subject_id(ORG, "JPY")) in firing
    assert all(o.fact_at == NOW for o in observed)


async def test_a_normal_day_observes_every_condition_clear() -> None:
    async with stored(spike_on=None).uow() as uow:
        observed = await metric_rule_observations(uow.metrics, metrics_sync(), Thresholds(), NOW)
    assert observed and all(o.severity is None for o in observed)
