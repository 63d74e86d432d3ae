"""Every connector against the simulator: complete pagination and exact normalization,
compared with the dataset generator's own figures."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest

from cmis_shared.events import Platform
from cmis_sync_worker.connectors.registry import build_connectors
from tests.support import expected
from tests.support.platform_sim import END_DATE, PlatformSim

from .conftest import CREDENTIALS, case_for

pytestmark = pytest.mark.integration
PLATFORMS = list(Platform)


def by_key(rows: list) -> list:  # type: ignore[type-arg]
    return sorted(
        rows,
        key=lambda r: (
            str(getattr(r, "campaign_external_id", "")),
            str(getattr(r, "day", "")),
            str(getattr(r, "external_id", "")),
        ),
    )


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_campaigns_are_complete_and_exact(
    platform: Platform, platform_sim: PlatformSim, http: httpx.AsyncClient
) -> None:
    case = case_for(platform, platform_sim.dataset, index=1)
    connector = build_connectors(http, platform_sim.endpoints)[platform]
    got = await connector.fetch_campaigns(case.account, CREDENTIALS)
    want = expected.campaigns(platform_sim.dataset, platform.value, case.account.account_id)
    assert by_key(got) == by_key(want)
    assert len(got) == platform_sim.dataset.size.campaigns  # 8 campaigns over pages of 5


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_daily_metrics_over_several_windows_and_pages(
    platform: Platform, platform_sim: PlatformSim, http: httpx.AsyncClient
) -> None:
    # 20 days: Meta in report runs of 9 days (a range over 7), TikTok in windows of 9.
    endpoints = platform_sim.endpoints_with(
        meta_insights_window_days=7,
        meta_report_window_days=9,
        meta_report_poll_initial_s=0.005,
        tiktok_report_window_days=9,
    )
    case = case_for(platform, platform_sim.dataset)
    connector = build_connectors(http, endpoints)[platform]
    since, until = END_DATE - timedelta(days=19), END_DATE
    got = await connector.fetch_daily_metrics(case.account, CREDENTIALS, since, until)
    want = expected.daily_metrics(
        platform_sim.dataset, platform.value, case.account.account_id, since, until
    )
    assert len(got) == 20 * platform_sim.dataset.size.campaigns
    assert by_key(got) == by_key(want)


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_posts_are_complete_and_exact(
    platform: Platform, platform_sim: PlatformSim, http: httpx.AsyncClient
) -> None:
    case = case_for(platform, platform_sim.dataset)
    connector = build_connectors(http, platform_sim.endpoints)[platform]
    got = await connector.fetch_posts(case.account, CREDENTIALS, None)
    assert by_key(got) == by_key(case.expected_posts(platform_sim.dataset))


@pytest.mark.parametrize("platform", [p for p in PLATFORMS if p is not Platform.GOOGLE])
async def test_posts_since_a_moment_are_only_the_newer_ones(
    platform: Platform, platform_sim: PlatformSim, http: httpx.AsyncClient
) -> None:
    case = case_for(platform, platform_sim.dataset)
    connector = build_connectors(http, platform_sim.endpoints)[platform]
    all_posts = case.expected_posts(platform_sim.dataset)
    since: datetime = sorted(p.published_at for p in all_posts)[len(all_posts) // 2]
    got = await connector.fetch_posts(case.account, CREDENTIALS, since)
    assert by_key(got) == by_key([p for p in all_posts if p.published_at >= since])


async def test_pagination_really_happened(
    platform_sim: PlatformSim, http: httpx.AsyncClient
) -> None:
    connectors = build_connectors(http, platform_sim.endpoints)
    for platform in PLATFORMS:
        case = case_for(platform, platform_sim.dataset)
        await connectors[platform].fetch_campaigns(case.account, CREDENTIALS)
    routes = platform_sim.calls()["by_route"]
    # 8 campaigns in pages of at most 5: two pages each.
    assert routes["google.search"] == 2 and routes["meta.campaigns"] == 2
    assert routes["tiktok.campaign"] == 2 and routes["linkedin.adCampaigns"] == 2
    assert routes["twitter.campaigns"] == 2


async def test_max_pages_guard_stops_a_long_cursor(
    platform_sim: PlatformSim, http: httpx.AsyncClient
) -> None:
    from cmis_sync_worker.connectors.base import InvalidResponse

    endpoints = platform_sim.endpoints_with(max_pages=1)
    case = case_for(Platform.META, platform_sim.dataset)
    with pytest.raises(InvalidResponse, match="1 pages"):
        await build_connectors(http, endpoints)[Platform.META].fetch_campaigns(
            case.account, CREDENTIALS
        )
