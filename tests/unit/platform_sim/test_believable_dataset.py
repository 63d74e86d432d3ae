"""The simulator's figures look like the platforms': budgets hold under each platform's
delivery rules, budget alerts are the exception, rates sit in each platform's ranges, weekdays
deliver more than weekends, currencies vary, and everything follows from the seed."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from cmis_platform_sim.anomalies import parse_anomaly
from cmis_platform_sim.dataset import PLATFORMS, Campaign, DailyMetric, Dataset, Size
from cmis_platform_sim.pacing import (
    RULES,
    SIM_DAY_OVERSHOOT,
    pace,
    period_bounds,
)
from cmis_platform_sim.profiles import LOCALES, PROFILES
from scripts.demo import SIM_SEED, SIM_SIZE, spike_spec
from tests.support.platform_sim import END_DATE as SUPPORT_END
from tests.support.platform_sim import SEED as SUPPORT_SEED
from tests.support.platform_sim import SIZE as SUPPORT_SIZE

pytestmark = pytest.mark.unit

END = date(2025, 3, 31)
# Every (seed, size) the demo, the tests and the benchmarks run the simulator with.
USED = [
    (SIM_SEED, SIM_SIZE, END),
    (SUPPORT_SEED, SUPPORT_SIZE, SUPPORT_END),
    (7, Size(accounts=1, campaigns=6, days=40, posts=0, series="steady"), END),
    (42, Size(accounts=1, campaigns=6, days=45, posts=0, series="steady"), END),
    (42, Size(accounts=5, campaigns=8, days=45, posts=12), END),
    (1717, Size(accounts=3, campaigns=8, days=60, posts=0, series="steady"), END),
]
IDS = [f"seed{seed}-{size.series}-{size.days}d" for seed, size, _ in USED]


def by_campaign(ds: Dataset, platform: str, account: str) -> dict[str, list[DailyMetric]]:
    rows: dict[str, list[DailyMetric]] = defaultdict(list)
    for row in ds.daily_metrics(platform, account, ds.start_date, ds.end_date):
        rows[row.campaign_external_id].append(row)
    return rows


def every_campaign(ds: Dataset) -> list[tuple[str, Campaign, list[DailyMetric]]]:
    out = []
    for platform in PLATFORMS:
        for account in ds.account_ids(platform):
            rows = by_campaign(ds, platform, account)
            out += [(platform, c, rows[c.external_id]) for c in ds.campaigns(platform, account)]
    return out


def used_pct(campaign: Campaign, rows: list[DailyMetric]) -> Decimal:
    """What the dashboard shows: today's spend against a daily budget, everything synced
    against a lifetime one."""
    assert campaign.budget_minor is not None
    spend = (
        rows[-1].spend_minor
        if campaign.budget_period == "daily"
        else sum(r.spend_minor for r in rows)
    )
    return Decimal(spend * 100) / campaign.budget_minor


@pytest.mark.parametrize(("seed", "size", "end"), USED, ids=IDS)
def test_budgets_hold_under_each_platforms_delivery_rules(seed: int, size: Size, end: date) -> None:
    ds = Dataset(seed, size, end)
    for platform, campaign, rows in every_campaign(ds):
        budget = campaign.budget_minor
        if budget is None:
            continue
        if campaign.budget_period == "lifetime":
            assert sum(r.spend_minor for r in rows) <= budget, campaign
            continue
        rule = RULES[platform]
        periods: dict[date, int] = defaultdict(int)
        for row in rows:
            assert row.spend_minor <= budget * min(rule.day_factor, SIM_DAY_OVERSHOOT), row
            periods[period_bounds(rule, row.day)[0]] += row.spend_minor
        if rule.period_factor is not None:
            assert max(periods.values()) <= budget * rule.period_factor, campaign


@pytest.mark.parametrize(("seed", "size", "end"), USED, ids=IDS)
def test_no_campaign_is_shown_over_110_percent_and_alerts_are_the_exception(
    seed: int, size: Size, end: date
) -> None:
    ds = Dataset(seed, size, end)
    pcts = [used_pct(c, rows) for _, c, rows in every_campaign(ds) if c.budget_minor is not None]
    assert max(pcts) <= 110
    over_90 = sum(p >= 90 for p in pcts)
    assert over_90 <= 0.15 * len(pcts), sorted(pcts)[-10:]
    if len(pcts) >= 40:  # a few campaigns near their budget, so the alerts have something
        assert over_90 >= 1


def test_the_demo_with_its_spend_spike_shows_no_campaign_over_110_percent() -> None:
    ds = Dataset(SIM_SEED, SIM_SIZE, datetime.now(UTC).date())
    ds.anomalies.add(parse_anomaly(spike_spec(ds)))
    pcts = [used_pct(c, rows) for _, c, rows in every_campaign(ds) if c.budget_minor is not None]
    assert max(pcts) <= 110


def test_rates_sit_in_each_platforms_range() -> None:
    ds = Dataset(11, Size(accounts=4, campaigns=8, days=30, posts=0, series="steady"), END)
    for platform, campaign, rows in every_campaign(ds):
        impressions = sum(r.impressions for r in rows)
        clicks = sum(r.clicks for r in rows)
        if clicks < 200:  # small or stopped campaigns: too few clicks for a rate
            continue
        profile, loc = PROFILES[platform], LOCALES[campaign.currency]
        ctr = clicks * 100 / impressions
        cpc_usd = sum(r.spend_minor for r in rows) / clicks / 10**loc.exponent / loc.per_usd
        assert profile.ctr_pct[0] * 0.8 <= ctr <= profile.ctr_pct[1] * 1.2, (platform, ctr)
        assert profile.cpc_usd[0] * 0.8 <= cpc_usd <= profile.cpc_usd[1] * 1.2, (platform, cpc_usd)


def test_weekdays_deliver_more_than_weekends() -> None:
    ds = Dataset(3, Size(accounts=2, campaigns=8, days=56, posts=0, series="steady"), END)
    per_weekday: dict[int, int] = defaultdict(int)
    for platform in PLATFORMS:
        for account in ds.account_ids(platform):
            for row in ds.daily_metrics(platform, account, ds.start_date, END):
                per_weekday[row.day.weekday()] += row.impressions
    assert min(per_weekday[d] for d in range(5)) > max(per_weekday[5], per_weekday[6])


def test_accounts_come_in_several_currencies_and_the_choice_is_a_knob() -> None:
    ds = Dataset(42, Size(accounts=10), END)
    seen = {ds.account(p, a).currency for p in PLATFORMS for a in ds.account_ids(p)}
    assert {"USD", "EUR", "GBP", "SAR", "AED"} <= seen
    zones = {ds.account(p, a).timezone for p in PLATFORMS for a in ds.account_ids(p)}
    assert len(zones) >= 5
    two = Dataset(42, Size(accounts=10), END, currencies=("EUR", "USD"))
    assert {two.account(p, a).currency for p in PLATFORMS for a in two.account_ids(p)} == {
        "EUR",
        "USD",
    }
    with pytest.raises(ValueError, match="unknown currency"):
        Dataset(42, currencies=("XXX",))


def test_everything_follows_from_the_seed() -> None:
    a, b, c = (Dataset(s, Size(accounts=2), END) for s in (5, 5, 6))
    account = a.account_ids("meta")[0]
    since = END - timedelta(days=20)
    assert a.daily_metrics("meta", account, since, END) == b.daily_metrics(
        "meta", account, since, END
    )
    assert a.campaigns("meta", account) == b.campaigns("meta", account)
    assert a.daily_metrics("meta", account, since, END) != c.daily_metrics(
        "meta", account, since, END
    )


def test_a_day_asked_alone_equals_the_same_day_in_a_long_range() -> None:
    """Pacing looks back over the day's period; the answer must not depend on the range."""
    ds = Dataset(42, Size(accounts=2, days=90), END)
    for platform in PLATFORMS:
        account = ds.account_ids(platform)[0]
        whole = ds.daily_metrics(platform, account, ds.start_date, END)
        for day in (END - timedelta(days=1), END - timedelta(days=40)):
            alone = Dataset(42, Size(accounts=2, days=90), END).daily_metrics(
                platform, account, day, day
            )
            assert alone == [r for r in whole if r.day == day]


def test_pace_caps_each_day() -> None:
    assert pace([50, 200, 80, 90], per_day=110, total=None) == [50, 110, 80, 90]
    assert pace([50, 200], per_day=None, total=None) == [50, 200]


def test_a_period_budget_is_spread_to_its_end_not_spent_early() -> None:
    spent = pace([100] * 10, per_day=None, total=500)
    assert sum(spent) <= 500 and all(s > 0 for s in spent)
    assert statistics.pstdev(spent) < 10
    # A month of demand at 110 % of a Google daily budget of 100: capped at 108 a day and
    # at 3,040 over the month, without a day of no delivery at the end.
    month = pace([110] * 31, per_day=108, total=3040)
    assert sum(month) <= 3040 and max(month) <= 108 and min(month) > 60


def test_periods_are_the_calendar_month_and_meta_s_sunday_week() -> None:
    assert period_bounds(RULES["google"], date(2025, 2, 14)) == (
        date(2025, 2, 1),
        date(2025, 2, 28),
    )
    assert period_bounds(RULES["meta"], date(2025, 3, 5)) == (date(2025, 3, 2), date(2025, 3, 8))
    assert period_bounds(RULES["tiktok"], date(2025, 3, 5)) == (date(2025, 3, 5), date(2025, 3, 5))


@pytest.mark.parametrize(("seed", "size", "end"), USED, ids=IDS)
def test_a_row_without_conversions_has_no_conversion_value(
    seed: int, size: Size, end: date
) -> None:
    for _, _, rows in every_campaign(Dataset(seed, size, end)):
        assert all(r.conversion_value_minor == 0 for r in rows if not r.conversions)
