"""A connector given ANY window reads it the way its platform wants long ranges read, against
the simulator: Meta through asynchronous report runs (a run that fails or hangs is split),
Google Ads through one searchStream call, TikTok in its 30-day report windows, LinkedIn in
analytics windows narrowed when an answer would hold too many elements. Every figure equals
the dataset's own."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from cmis_platform_sim.dataset import Size
from cmis_shared.events import Platform
from cmis_sync_worker.connectors import base
from cmis_sync_worker.connectors.registry import build_connectors
from cmis_sync_worker.connectors.transport import make_http_client
from tests.support import expected
from tests.support.platform_sim import END_DATE, PlatformSim, start_platform_sim, stop_platform_sim

from .conftest import CREDENTIALS, case_for

pytestmark = pytest.mark.integration

CAMPAIGNS = 4
LINKEDIN_MAX_ELEMENTS = 40  # 10 days of 4 campaigns per analytics answer
YEAR = (END_DATE - timedelta(days=399), END_DATE)
# Fast polling, a short deadline for a hung report run.
FAST = {
    "meta_report_poll_initial_s": 0.005,
    "meta_report_poll_max_s": 0.02,
    "meta_report_timeout_s": 0.2,
}


@pytest.fixture(scope="module")
def long_sim() -> Iterator[PlatformSim]:
    sim = start_platform_sim(
        "--linkedin-max-elements",
        str(LINKEDIN_MAX_ELEMENTS),
        size=Size(accounts=1, campaigns=CAMPAIGNS, days=400, posts=0),
    )
    yield sim
    stop_platform_sim(sim)


@pytest.fixture
async def sim(long_sim: PlatformSim) -> AsyncIterator[PlatformSim]:
    long_sim.clear_faults()
    long_sim.reset_calls()
    yield long_sim
    long_sim.clear_faults()


async def fetch(
    sim: PlatformSim, platform: Platform, since: date, until: date, **overrides: Any
) -> list[base.NormalizedDailyMetric]:
    case = case_for(platform, sim.dataset)
    endpoints = sim.endpoints_with(**{**FAST, **overrides})
    async with make_http_client(endpoints) as http:
        connector = build_connectors(http, endpoints)[platform]
        got = await connector.fetch_daily_metrics(case.account, CREDENTIALS, since, until)
    want = expected.daily_metrics(
        sim.dataset, platform.value, case.account.account_id, since, until
    )
    key = lambda r: (r.day, r.campaign_external_id)  # noqa: E731
    assert sorted(got, key=key) == sorted(want, key=key)
    assert len(got) == ((until - since).days + 1) * CAMPAIGNS
    return got


def routes(sim: PlatformSim) -> dict[str, int]:
    return dict(sim.calls()["by_route"])


async def test_meta_reads_a_long_range_through_report_runs(sim: PlatformSim) -> None:
    await fetch(sim, Platform.META, *YEAR, meta_report_window_days=92)
    calls = routes(sim)
    assert calls["meta.insights_job"] == 5  # 400 days in runs of at most 92
    assert calls["meta.report_status"] >= 5
    assert "meta.insights" not in calls  # no synchronous insights call


async def test_meta_reads_a_short_range_synchronously(sim: PlatformSim) -> None:
    await fetch(sim, Platform.META, END_DATE - timedelta(days=6), END_DATE)
    assert "meta.insights_job" not in routes(sim)


@pytest.mark.parametrize("kind", ["report_failed", "report_stuck"])
async def test_a_meta_report_run_that_fails_or_hangs_is_split_in_halves(
    sim: PlatformSim, kind: str
) -> None:
    sim.add_fault(kind=kind, platform="meta", times=1)
    since = END_DATE - timedelta(days=91)
    await fetch(sim, Platform.META, since, END_DATE, meta_report_window_days=92)
    # The first run (92 days) failed or hung; its two halves of 46 days went through.
    assert routes(sim)["meta.insights_job"] == 3


async def test_a_day_whose_report_run_always_fails_is_a_platform_timeout(
    sim: PlatformSim,
) -> None:
    sim.add_fault(kind="report_failed", platform="meta")
    with pytest.raises(base.PlatformTimeout, match="report"):
        await fetch(sim, Platform.META, END_DATE - timedelta(days=40), END_DATE)
    # 41 days, 20, 10, 5, 2, then one day: each run failed once.
    assert routes(sim)["meta.insights_job"] == 6


async def test_google_reads_a_long_range_in_one_search_stream(sim: PlatformSim) -> None:
    await fetch(sim, Platform.GOOGLE, *YEAR)
    calls = routes(sim)
    # 1,600 rows: one streamed answer (batches of the simulator's page size, 5 rows).
    assert calls["google.searchStream"] == 1
    assert "google.search" not in calls


async def test_google_reads_a_short_range_with_paged_search(sim: PlatformSim) -> None:
    await fetch(sim, Platform.GOOGLE, END_DATE - timedelta(days=13), END_DATE)
    calls = routes(sim)
    assert calls["google.search"] == 12  # 56 rows in pages of 5
    assert "google.searchStream" not in calls


async def test_tiktok_splits_a_long_range_into_30_day_reports(sim: PlatformSim) -> None:
    await fetch(sim, Platform.TIKTOK, *YEAR, tiktok_page_size=1000)
    # 14 windows (13 x 30 days + 10); each window's 120 or 40 rows in pages of 5.
    assert routes(sim)["tiktok.report"] == 13 * 24 + 8


async def test_linkedin_narrows_its_window_when_an_answer_would_hold_too_many_elements(
    sim: PlatformSim,
) -> None:
    await fetch(sim, Platform.LINKEDIN, *YEAR)
    # Windows of 90 days (360 elements), 45, 22 and 11 are refused (over 40); from then on
    # 5-day windows: 80 answers for 400 days. A few refusals, not one per window.
    assert routes(sim)["linkedin.adAnalytics"] == 4 + 80
