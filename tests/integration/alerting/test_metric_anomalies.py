"""Metrics synced from the platform simulator, with a spend spike injected on the last
complete day: the sync worker stores them and announces ``sync.completed``, alerting reads
the stored series and raises one anomaly alert; re-synced unchanged, nothing new; re-synced
after the simulator drops the spike, it resolves. Real broker, database and simulator."""

from __future__ import annotations

import asyncio
import statistics
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import pytest
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy import select

from cmis_alerting.bootstrap import AlertingService, bootstrap
from cmis_alerting.domain.anomalies import SPEND_SPIKE, judge
from cmis_alerting.domain.series import DayFigures
from cmis_alerting.settings import AlertingSettings
from cmis_platform_sim.dataset import Size
from cmis_shared.clock import ManualClock
from cmis_shared.db.models import Campaign
from cmis_shared.events import AlertRaised, AlertResolved, DataType, Platform, SyncCompleted
from cmis_shared.settings import CmisSettings
from cmis_shared.topology import Topology
from cmis_sync_worker.bootstrap import SyncWorker
from tests.integration.alerting.harness import _processed, capture_alerts
from tests.integration.sync_worker.conftest import worker_settings_for
from tests.integration.sync_worker.world import (
    SIM_NOW,
    EventCollector,
    queue_run,
    seed_integration,
)
from tests.support.platform_sim import END_DATE, PlatformSim, start_platform_sim, stop_platform_sim
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

PLATFORM = Platform.GOOGLE
JUDGED_DAY = END_DATE - timedelta(days=1)  # the last complete day at SIM_NOW
ANOMALY_TYPES = {"spend_spike", "ctr_drop", "conversion_drop", "cost_per_result_rise"}


@pytest.fixture(scope="module")
def steady_sim() -> Iterator[PlatformSim]:
    sim = start_platform_sim(size=Size(accounts=1, campaigns=6, days=45, posts=0, series="steady"))
    try:
        yield sim
    finally:
        stop_platform_sim(sim)


@pytest.fixture
async def worker(
    settings: CmisSettings, steady_sim: PlatformSim, tracer_provider: TracerProvider
) -> AsyncIterator[SyncWorker]:
    # The first sync reads 40 days back: enough for the rules' 28-day baseline.
    worker = SyncWorker(
        worker_settings_for(settings, steady_sim, backfill_days=40),
        tracer_provider,
        clock=lambda: SIM_NOW,
    )
    await worker.runtime.connect()
    await worker.open()
    await worker.runtime.broker.start()
    worker.runtime.start_relay()
    yield worker
    await worker.runtime.stop_background()
    await worker.runtime.dispose()
    await worker.close()


@pytest.fixture
async def alerting(
    alerting_settings: AlertingSettings, tracer_provider: TracerProvider
) -> AsyncIterator[AlertingService]:
    service = bootstrap(alerting_settings, tracer_provider, clock=ManualClock(SIM_NOW))
    async with service.app():
        yield service


@pytest.fixture
async def collector(settings: CmisSettings) -> AsyncIterator[EventCollector]:
    events = EventCollector(settings.rabbit_url, Topology(settings.namespace))
    await events.start()
    yield events
    await events.stop()


def busiest_campaign(sim: PlatformSim, account_id: str) -> str:
    """The campaign with the most clicks a day: well above every rule's volume guard."""
    rows = sim.dataset.daily_metrics(PLATFORM.value, account_id, sim.dataset.start_date, END_DATE)
    clicks: dict[str, list[int]] = {}
    for row in rows:
        clicks.setdefault(row.campaign_external_id, []).append(row.clicks)
    return max(clicks, key=lambda c: statistics.median(clicks[c]))


async def test_an_injected_spike_raises_one_anomaly_alert_that_resolves_when_the_day_is_normal(
    steady_sim: PlatformSim,
    worker: SyncWorker,
    alerting: AlertingService,
    collector: EventCollector,
) -> None:
    account_id = steady_sim.dataset.account_ids(PLATFORM.value)[0]
    account = steady_sim.dataset.account(PLATFORM.value, account_id)
    integration = await seed_integration(
        worker.runtime.sessions, worker.settings, PLATFORM, account_id,
        currency=account.currency, timezone=account.timezone,
    )  # fmt: skip
    spiked = busiest_campaign(steady_sim, account_id)
    steady_sim.clear_anomalies()
    # The spike's ratio: 4x the clean day's own ratio to its weekday's expected value.
    clean = {
        r.day: DayFigures(r.spend, r.impressions, r.clicks, r.conversions)
        for r in steady_sim.dataset.daily_metrics(
            PLATFORM.value, account_id, steady_sim.dataset.start_date, END_DATE
        )
        if r.campaign_external_id == spiked
    }
    clean_ratio = judge(SPEND_SPIKE, clean, JUDGED_DAY).ratio
    assert clean_ratio is not None
    steady_sim.add_anomaly(
        kind="spike", platform=PLATFORM.value, account=account_id, campaign=spiked,
        day=JUDGED_DAY.isoformat(), factor=4,
    )  # fmt: skip

    async def sync() -> SyncCompleted:
        # Campaigns and metrics: alerting names the campaign from the stored row.
        request = await queue_run(worker.runtime.sessions, integration, DataType.ALL)
        await collector.publish(request)
        await eventually(lambda: collector.outcome(request.run_id) is not None, within=60)
        outcome = collector.outcome(request.run_id)
        assert isinstance(outcome, SyncCompleted), outcome
        return outcome

    def anomalies(events: list[AlertRaised | AlertResolved]) -> list[AlertRaised | AlertResolved]:
        return [e for e in events if e.alert_type in ANOMALY_TYPES]

    exchange = alerting.runtime.topology.exchange.name
    try:
        async with capture_alerts(alerting.settings, exchange, {integration.org_id}) as capture:
            first = await sync()
            await eventually(lambda: _processed(alerting, first.event_id), within=60)
            # The organization's totals may raise their own anomaly, published by another of
            # the relay's lanes, so in any order: wait for the campaign's.
            await eventually(
                lambda: any(e.subject_type == "campaign" for e in anomalies(capture.events))
            )
            async with worker.runtime.sessions() as session:
                campaign_id = (
                    await session.execute(
                        select(Campaign.id).where(
                            Campaign.integration_id == integration.integration_id,
                            Campaign.external_id == spiked,
                        )
                    )
                ).scalar_one()
            raised = [e for e in anomalies(capture.events) if e.subject_type == "campaign"]
            assert [(e.event_type, e.alert_type, e.subject_id) for e in raised] == [
                ("alert.raised", "spend_spike", campaign_id)
            ]
            assert isinstance(raised[0], AlertRaised)
            assert raised[0].correlation_id == first.correlation_id  # the sync's, carried on
            assert JUDGED_DAY.isoformat() in raised[0].message
            assert raised[0].details["ratio"] == pytest.approx(4 * clean_ratio, rel=0.01)

            # The same figures synced again: the open alert is seen again, not raised again.
            # What this sync announced carries its correlation id; asked that way, not as a
            # count taken earlier, since one of the first sync's announcements (published by
            # another of the relay's lanes) may still have been on its way then.
            again = await sync()
            await eventually(lambda: _processed(alerting, again.event_id), within=60)
            await asyncio.sleep(0.3)  # anything it announced has reached the capture
            assert [
                (e.event_type, e.alert_type, e.subject_id)
                for e in anomalies(capture.events)
                if e.correlation_id == again.correlation_id
            ] == []

            # The simulator serves the day without the spike; the next sync re-reads it.
            steady_sim.clear_anomalies()
            await sync()
            await eventually(
                lambda: any(
                    isinstance(e, AlertResolved) and e.subject_id == campaign_id
                    for e in capture.events
                ),
                within=60,
            )
            [resolved] = [
                e
                for e in anomalies(capture.events)
                if isinstance(e, AlertResolved) and e.subject_id == campaign_id
            ]
            assert resolved.alert_type == "spend_spike"
            assert resolved.reason == "spend is back in its usual range"
    finally:
        steady_sim.clear_anomalies()
