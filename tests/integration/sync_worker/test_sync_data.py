"""Per platform and data type, a sync through the real broker, database and simulator stores
the simulator's data exactly and emits the right events."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text

from cmis_shared.events import DataType, Platform, SyncCompleted, SyncStarted
from cmis_sync_worker.bootstrap import SyncWorker
from tests.integration.sync_worker.stored import (
    expected_campaigns,
    expected_metrics,
    expected_posts,
    stored_campaigns,
    stored_metrics,
    stored_posts,
)
from tests.integration.sync_worker.world import (
    SIM_NOW,
    EventCollector,
    queue_run,
    seed_integration,
)
from tests.support.platform_sim import END_DATE, PlatformSim
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


async def _seed(worker: SyncWorker, platform_sim: PlatformSim, platform: Platform, index: int = 0):  # type: ignore[no-untyped-def]
    account_id = platform_sim.dataset.account_ids(platform.value)[index]
    account = platform_sim.dataset.account(platform.value, account_id)
    return await seed_integration(
        worker.runtime.sessions, worker.settings, platform, account_id,
        currency=account.currency, timezone=account.timezone,
    )  # fmt: skip


async def _sync(worker: SyncWorker, collector: EventCollector, integration, data_type: DataType):  # type: ignore[no-untyped-def]
    request = await queue_run(worker.runtime.sessions, integration, data_type)
    await collector.publish(request)
    await eventually(lambda: collector.outcome(request.run_id) is not None, within=60)
    outcome = collector.outcome(request.run_id)
    assert isinstance(outcome, SyncCompleted), outcome
    assert len(collector.of(request.run_id, SyncStarted)) == 1
    assert outcome.correlation_id == request.correlation_id and outcome.attempt == 1
    return outcome


@pytest.mark.parametrize("platform", list(Platform))
async def test_each_data_type_stores_the_simulators_data_exactly(
    platform: Platform, worker: SyncWorker, collector: EventCollector, platform_sim: PlatformSim
) -> None:
    ds, sessions = platform_sim.dataset, worker.runtime.sessions
    integration = await _seed(worker, platform_sim, platform)
    account_id = integration.account_id

    campaigns = await _sync(worker, collector, integration, DataType.CAMPAIGNS)
    want_campaigns = expected_campaigns(ds, platform, account_id)
    assert await stored_campaigns(sessions, integration.integration_id) == want_campaigns
    assert len(want_campaigns) == ds.size.campaigns
    assert campaigns.counts == {"campaigns": len(want_campaigns)}
    assert [f.external_id for f in campaigns.campaigns] == [c.external_id for c in want_campaigns]
    assert [f.budget_amount for f in campaigns.campaigns] == [
        c.budget_amount for c in want_campaigns
    ]

    metrics = await _sync(worker, collector, integration, DataType.METRICS)
    lookback = worker.settings.endpoints().lookback_for(platform)
    since = END_DATE - timedelta(days=lookback - 1)
    want_metrics = expected_metrics(ds, platform, account_id, since, END_DATE)
    assert await stored_metrics(sessions, integration.integration_id) == want_metrics
    assert len(want_metrics) == lookback * ds.size.campaigns
    assert metrics.counts == {"metrics": len(want_metrics)}
    assert (metrics.range_start, metrics.range_end) == (since, END_DATE)
    assert metrics.currency == integration.currency
    for fact in metrics.campaigns:  # facts read back from what was stored
        rows = [m for m in want_metrics if m.campaign_external_id == fact.external_id]
        assert fact.spend_today == sum((m.spend for m in rows if m.day == END_DATE), Decimal(0))
        assert fact.spend_lifetime == sum((m.spend for m in rows), Decimal(0))
        assert fact.last_30_days.clicks == sum(m.clicks for m in rows)
        # The same 30 days' money day by day, for conversion at each day's rate.
        assert sum((day.spend for day in fact.daily), Decimal(0)) == fact.last_30_days.spend
        assert [day.day for day in fact.daily] == sorted(
            m.day
            for m in rows
            if m.day > END_DATE - timedelta(days=30) and (m.spend or m.conversion_value)
        )

    posts = await _sync(worker, collector, integration, DataType.POSTS)
    want_posts = expected_posts(ds, platform, SIM_NOW - timedelta(days=30))
    assert await stored_posts(sessions, integration.integration_id) == want_posts
    assert len(want_posts) == {Platform.GOOGLE: 0, Platform.META: 24}.get(platform, 12)
    assert posts.counts == {"posts": len(want_posts)}
    assert posts.content_last_30_days is not None
    assert posts.content_last_30_days.posts_published == len(want_posts)
    newest = sorted(want_posts, key=lambda p: p.published_at, reverse=True)[:10]
    assert [p.external_id for p in posts.recent_posts] == [p.external_id for p in newest]

    async with sessions() as session:
        synced = await session.scalar(
            text("SELECT last_synced_at FROM integrations WHERE id = :id"),
            {"id": integration.integration_id},
        )
    assert synced == posts.finished_at


async def test_all_data_types_in_one_run(
    worker: SyncWorker, collector: EventCollector, platform_sim: PlatformSim
) -> None:
    ds, sessions = platform_sim.dataset, worker.runtime.sessions
    integration = await _seed(worker, platform_sim, Platform.META, index=1)
    completed = await _sync(worker, collector, integration, DataType.ALL)
    iid, account_id = integration.integration_id, integration.account_id
    since = END_DATE - timedelta(days=worker.settings.endpoints().lookback_for(Platform.META) - 1)
    assert await stored_campaigns(sessions, iid) == expected_campaigns(
        ds, Platform.META, account_id
    )
    assert await stored_metrics(sessions, iid) == expected_metrics(
        ds, Platform.META, account_id, since, END_DATE
    )
    assert await stored_posts(sessions, iid) == expected_posts(
        ds, Platform.META, SIM_NOW - timedelta(days=30)
    )
    assert set(completed.counts) == {"campaigns", "metrics", "posts"}
    # The Meta connector's API version and its announced end of life ride on the outcome.
    declared = worker.settings.endpoints().api_version(Platform.META)
    assert (completed.api_version, completed.api_sunset_on) == (
        declared.version,
        declared.sunset_on,
    )
    assert completed.api_sunset_on is not None
    async with sessions() as session:
        run = (
            await session.execute(
                text("SELECT status, counts FROM sync_runs WHERE id = :id"),
                {"id": completed.run_id},
            )
        ).one()
        attempt = (
            await session.execute(
                text("SELECT outcome, finished_at FROM sync_attempts WHERE run_id = :id"),
                {"id": completed.run_id},
            )
        ).one()
    assert run.status == "success" and run.counts == completed.counts
    assert attempt.outcome == "success" and attempt.finished_at == completed.finished_at
