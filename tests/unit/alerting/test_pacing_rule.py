"""Budget pacing as pure functions over a ManualClock: each platform's billing period and
limit, the projected run-out date or amount, and when it stays quiet."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from cmis_alerting.domain.metric_rules import local_time
from cmis_alerting.domain.pacing import budget_period, pacing_observation, project
from cmis_alerting.domain.series import CampaignSeries, DayFigures
from cmis_alerting.domain.thresholds import Thresholds
from cmis_shared.clock import ManualClock
from cmis_shared.events import AlertType, BudgetPeriod, Severity

ORG = uuid.uuid4()


def campaign(
    platform: str,
    budget: str,
    spend_per_day: dict[date, str] | tuple[date, date, str],
    period: BudgetPeriod = BudgetPeriod.DAILY,
    start: date | None = None,
    end: date | None = None,
    status: str = "active",
    before: str = "0",
) -> CampaignSeries:
    if isinstance(spend_per_day, tuple):
        first, last, amount = spend_per_day
        spend_per_day = {first + timedelta(days=n): amount for n in range((last - first).days + 1)}
    return CampaignSeries(
        campaign_id=uuid.uuid4(), integration_id=uuid.uuid4(), name="Spring", platform=platform,
        status=status, currency="USD",
        days={d: DayFigures(spend=Decimal(s)) for d, s in spend_per_day.items()},
        budget_amount=Decimal(budget), budget_period=period, start_date=start, end_date=end,
        spend_before_series=Decimal(before),
    )  # fmt: skip


def observe(c: CampaignSeries, clock: ManualClock, timezone: str = "UTC"):  # type: ignore[no-untyped-def]
    now = local_time(clock(), timezone)
    return pacing_observation(ORG, c, now, now.date(), clock())


def test_google_daily_budget_paces_against_the_monthly_limit_of_30_4_days() -> None:
    clock = ManualClock(datetime(2025, 3, 10, 12, tzinfo=UTC))
    period = budget_period(campaign("google", "100", {}), date(2025, 3, 10))
    assert period is not None and period.kind == "month"
    assert (period.first, period.last, period.limit) == (
        date(2025, 3, 1),
        date(2025, 3, 31),
        Decimal(3040),
    )
    assert period.day_max == Decimal(200)
    # 180 a day (Google may spend up to 2x on a day): 3040 reached on day 17, not the 31st.
    fast = campaign("google", "100", (date(2025, 3, 1), date(2025, 3, 10), "180"))
    alert = observe(fast, clock)
    assert alert.key.alert_type is AlertType.BUDGET_PACING and alert.severity is Severity.WARNING
    assert alert.details["runs_out_on"] == "2025-03-17"
    assert "will run out of its monthly limit of 3,040.00 USD on 2025-03-17" in alert.message
    assert "14 days before 2025-03-31" in alert.message


def test_google_spending_up_to_the_budget_every_day_is_on_pace() -> None:
    clock = ManualClock(datetime(2025, 3, 10, 12, tzinfo=UTC))
    steady = campaign("google", "100", (date(2025, 3, 1), date(2025, 3, 10), "98"))
    assert observe(steady, clock).is_clear


def test_the_recent_rate_is_capped_at_what_the_platform_may_spend_on_one_day() -> None:
    # 500 a day on a 100 budget: Google spends at most 200 a day, so the projection is
    # 200/day, not 500/day (the run-out date moves out accordingly).
    clock = ManualClock(datetime(2025, 3, 5, 12, tzinfo=UTC))
    c = campaign("google", "100", (date(2025, 3, 1), date(2025, 3, 5), "500"))
    projection = project(c, clock(), date(2025, 3, 5))
    assert projection is not None and projection.runs_out_on == date(2025, 3, 8)
    assert projection.reached is False


def test_meta_paces_the_calendar_week_against_seven_daily_budgets() -> None:
    clock = ManualClock(datetime(2025, 3, 12, 12, tzinfo=UTC))  # a Wednesday
    c = campaign("meta", "100", (date(2025, 3, 3), date(2025, 3, 12), "170"))
    alert = observe(c, clock)
    assert alert.details["pacing_period"] == "week" and alert.details["limit"] == "700.00"
    # Mon-Wed 510 spent, 170/day: 700 reached on Friday the 14th, 2 days before Sunday.
    assert alert.details["runs_out_on"] == "2025-03-14"


def test_a_limit_already_spent_with_days_left_is_critical() -> None:
    clock = ManualClock(datetime(2025, 3, 6, 12, tzinfo=UTC))  # Thursday
    c = campaign("meta", "100", (date(2025, 2, 27), date(2025, 3, 6), "175"))
    alert = observe(c, clock)
    assert alert.severity is Severity.CRITICAL
    # Mon-Thu at 175 a day: 700 reached on Thursday, 3 days before Sunday.
    assert alert.message == (
        "Campaign 'Spring' reached its weekly limit of 700.00 USD on 2025-03-06, 3 days before "
        "2025-03-09 (700.00 USD spent)"
    )


def test_a_far_under_budget_finish_alerts_with_the_projected_amount() -> None:
    clock = ManualClock(datetime(2025, 3, 20, 12, tzinfo=UTC))
    slow = campaign("google", "100", (date(2025, 3, 1), date(2025, 3, 20), "30"))
    alert = observe(slow, clock)
    assert alert.severity is Severity.WARNING
    assert alert.message == (
        "Campaign 'Spring' will finish far under budget: 930.00 USD of 3,040.00 USD (31%) "
        "projected by 2025-03-31"
    )
    # Too early in the month to say (under a quarter of it gone): quiet.
    clock.set(datetime(2025, 3, 5, 12, tzinfo=UTC))
    assert observe(
        campaign("google", "100", (date(2025, 3, 1), date(2025, 3, 5), "30")), clock
    ).is_clear


def test_the_org_threshold_for_far_under_budget_applies() -> None:
    clock = ManualClock(datetime(2025, 3, 20, 12, tzinfo=UTC))
    slow = campaign("google", "100", (date(2025, 3, 1), date(2025, 3, 20), "30"))
    now = clock()
    assert pacing_observation(ORG, slow, now, now.date(), now, Decimal(25)).is_clear


def test_a_lifetime_budget_runs_out_before_the_campaigns_end_date() -> None:
    clock = ManualClock(datetime(2025, 3, 10, 12, tzinfo=UTC))
    c = campaign(
        "linkedin", "10000", (date(2025, 3, 1), date(2025, 3, 10), "400"),
        period=BudgetPeriod.LIFETIME, start=date(2025, 2, 1), end=date(2025, 4, 30),
        before="4000",
    )  # fmt: skip
    alert = observe(c, clock)
    # 4000 + 10 x 400 = 8000 by today; 2000 left at 400/day: gone on 2025-03-15.
    assert alert.details["runs_out_on"] == "2025-03-15"
    assert (
        "will run out of its budget of 10,000.00 USD on 2025-03-15, 46 days before 2025-04-30"
        in alert.message
    )


def test_a_lifetime_budget_without_an_end_date_or_past_it_is_not_paced() -> None:
    clock = ManualClock(datetime(2025, 3, 10, 12, tzinfo=UTC))
    days = (date(2025, 3, 1), date(2025, 3, 10), "400")
    open_ended = campaign(
        "meta", "1000", days, period=BudgetPeriod.LIFETIME, start=date(2025, 3, 1)
    )
    assert project(open_ended, clock(), date(2025, 3, 10)) is None
    ended = campaign(
        "meta", "1000", days, period=BudgetPeriod.LIFETIME, start=date(2025, 3, 1),
        end=date(2025, 3, 9),
    )  # fmt: skip
    assert observe(ended, clock).is_clear


def test_a_one_day_period_extrapolates_todays_spend_over_the_hours_gone() -> None:
    # TikTok: the daily budget is the day's limit. 60 spent by 06:00 is 240 by midnight
    # against 100: gone around 10:00 account time.
    clock = ManualClock(datetime(2025, 3, 10, 5, tzinfo=UTC))
    c = campaign("tiktok", "100", {date(2025, 3, 10): "60"})
    alert = observe(c, clock, timezone="Europe/Berlin")  # 06:00 in Berlin
    assert "will reach its daily budget of 100.00 USD around 10:00 (account time)" in alert.message
    # Before a fifth of the day has gone by the extrapolation says too little: quiet.
    clock.set(datetime(2025, 3, 10, 2, tzinfo=UTC))
    assert observe(c, clock, timezone="Europe/Berlin").is_clear
    # On pace: 20 by 06:00 is 80 by midnight.
    clock.set(datetime(2025, 3, 10, 5, tzinfo=UTC))
    assert observe(
        campaign("tiktok", "100", {date(2025, 3, 10): "20"}), clock, "Europe/Berlin"
    ).is_clear


def test_inactive_campaigns_and_campaigns_without_budget_clear() -> None:
    clock = ManualClock(datetime(2025, 3, 10, 12, tzinfo=UTC))
    days = (date(2025, 3, 1), date(2025, 3, 10), "180")
    assert (
        observe(campaign("google", "100", days, status="paused"), clock).reason
        == "campaign is paused"
    )
    assert observe(campaign("google", "0", days), clock).is_clear


def test_too_few_recent_days_to_project_from_is_quiet() -> None:
    clock = ManualClock(datetime(2025, 3, 10, 12, tzinfo=UTC))
    c = campaign("google", "100", {date(2025, 3, 9): "180", date(2025, 3, 10): "180"})
    assert project(c, clock(), date(2025, 3, 10)) is None


def test_the_org_overrides_the_far_under_budget_share_within_0_and_100() -> None:
    assert Thresholds().pacing_under_pct == Decimal(50)
    assert Thresholds().with_overrides({"alerts": {"pacing_under_pct": 40}}).pacing_under_pct == 40
    for bad in (150, 0, "half", True):
        assert Thresholds().with_overrides({"alerts": {"pacing_under_pct": bad}}) == Thresholds()
