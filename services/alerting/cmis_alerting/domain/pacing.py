"""Budget pacing: from the spend so far in a budget's period, where the period will end.

Each platform bills a daily budget its own way (:data:`DAILY_BUDGET_RULES`):

- Google Ads may spend up to 2x the daily budget on one day, but never more than 30.4x the
  average daily budget in a calendar month: the period is the month, its limit 30.4 x budget;
- Meta may spend up to 75 % more on one day, but at most 7x the daily budget in a calendar
  week (Monday to Sunday): the period is the week, its limit 7 x budget;
- TikTok, LinkedIn and X treat the daily budget as the day's limit (LinkedIn may go 50 %
  over on a day): the period is the day.

A lifetime budget's period runs from the campaign's start date to its end date; the limit is
the budget. Without an end date there is no "before the period ends" to pace against.

The projection: spend before today, plus today at least at the recent daily rate (today's
spend so far may be partial), plus the recent daily rate on every later day of the period.
The recent rate is the mean spend of the last ``RATE_DAYS`` complete days (at least
``MIN_RATE_DAYS`` of them), never above what the platform may spend on one day. For a
one-day period, today's spend so far is extrapolated over the part of the day gone by
(from ``MIN_DAY_ELAPSED`` of the day on: earlier figures say little).

Two conditions, one alert per campaign (``budget_pacing``):

- **runs out**: the projection reaches the limit before the period's last day: warning,
  with the date (or, for a day, the local time) it is projected to; critical once the limit
  is reached with days of the period left (delivery has stopped);
- **under-delivers**: once ``MIN_PERIOD_ELAPSED`` of a multi-day period has passed, the
  projection stays below ``under_pct`` of the limit: warning, with the projected amount.
"""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Literal
from uuid import UUID

from cmis_alerting.domain.observations import AlertKey, Observation, clear, holds
from cmis_alerting.domain.series import CampaignSeries
from cmis_shared.events import AlertType, BudgetPeriod, Severity

RATE_DAYS = 7
MIN_RATE_DAYS = 3
MIN_DAY_ELAPSED = 0.2
MIN_PERIOD_ELAPSED = 0.25
DEFAULT_UNDER_PCT = Decimal(50)
ACTIVE = "active"

PeriodKind = Literal["day", "week", "month", "lifetime"]


@dataclass(frozen=True)
class DailyBudgetRule:
    period: PeriodKind
    day_max: Decimal  # the most one day may spend, in daily budgets
    period_limit_days: Decimal | None  # the period's limit in daily budgets (None: per day)


DAILY_BUDGET_RULES: dict[str, DailyBudgetRule] = {
    "google": DailyBudgetRule("month", Decimal(2), Decimal("30.4")),
    "meta": DailyBudgetRule("week", Decimal("1.75"), Decimal(7)),
    "linkedin": DailyBudgetRule("day", Decimal("1.5"), None),
    "tiktok": DailyBudgetRule("day", Decimal(1), None),
    "twitter": DailyBudgetRule("day", Decimal(1), None),
}
_DAY_ONLY = DailyBudgetRule("day", Decimal(1), None)


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    first: date
    last: date
    limit: Decimal
    day_max: Decimal | None  # the most one day may spend (None: no daily cap, lifetime)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


@dataclass(frozen=True)
class Projection:
    period: Period
    spent: Decimal  # in the period so far, today's partial spend included
    projected: Decimal  # at the period's end
    runs_out_on: date | None  # the day the limit is reached, when before the period's end
    runs_out_at: datetime | None  # one-day periods: the projected moment (account time)
    reached: bool  # the limit is already reached with time left in the period
    under: bool  # projected far under the limit

    @property
    def used_pct(self) -> Decimal:
        return self.projected * 100 / self.period.limit


def budget_period(campaign: CampaignSeries, today: date) -> Period | None:
    """The budget period ``today`` falls in, with its limit; None when there is nothing to
    pace (no positive budget, a lifetime budget without an end date, outside its dates)."""
    budget = campaign.budget_amount
    if budget is None or budget <= 0 or campaign.budget_period is None:
        return None
    if campaign.budget_period is BudgetPeriod.LIFETIME:
        if campaign.end_date is None or today > campaign.end_date:
            return None
        first = campaign.start_date or min(campaign.days, default=today)
        if today < first:
            return None
        return Period("lifetime", first, campaign.end_date, budget, None)
    rule = DAILY_BUDGET_RULES.get(campaign.platform, _DAY_ONLY)
    if rule.period == "month":
        first = today.replace(day=1)
        last = today.replace(day=calendar.monthrange(today.year, today.month)[1])
    elif rule.period == "week":
        first = today - timedelta(days=today.weekday())
        last = first + timedelta(days=6)
    else:
        first = last = today
    limit = budget * (rule.period_limit_days or rule.day_max)
    return Period(rule.period, first, last, limit, budget * rule.day_max)


def recent_rate(campaign: CampaignSeries, today: date, day_max: Decimal | None) -> Decimal | None:
    """Mean spend of the last complete days (capped at the day's maximum); None when too few
    of them are known."""
    days = [today - timedelta(days=n) for n in range(1, RATE_DAYS + 1)]
    known = [campaign.days[d].spend for d in days if d in campaign.days]
    if len(known) < MIN_RATE_DAYS:
        return None
    rate = sum(known, Decimal(0)) / len(known)
    return min(rate, day_max) if day_max is not None else rate


def project(
    campaign: CampaignSeries,
    now: datetime,
    today: date,
    under_pct: Decimal = DEFAULT_UNDER_PCT,
) -> Projection | None:
    """The campaign's projection at ``now`` (account-local ``today``); None when it cannot be
    paced (see :func:`budget_period`) or the figures are too few to project from."""
    period = budget_period(campaign, today)
    if period is None:
        return None
    spend_today = campaign.days[today].spend if today in campaign.days else Decimal(0)
    if period.kind == "day":
        return _project_day(period, spend_today, now)
    rate = recent_rate(campaign, today, period.day_max)
    if rate is None:
        return None
    before = sum(
        (f.spend for d, f in campaign.days.items() if period.first <= d < today), Decimal(0)
    )
    if period.kind == "lifetime":
        before += campaign.spend_before_series
    spent = before + spend_today
    today_projected = max(spend_today, rate)
    later_days = (period.last - today).days
    projected = before + today_projected + rate * later_days
    reached_on = _limit_reached_on(campaign, period, today)
    if reached_on is not None:
        runs_out_on = reached_on if reached_on < period.last else None
    else:
        runs_out_on = _run_out_day(period, today, before + today_projected, rate)
    elapsed = Decimal((today - period.first).days + 1) / period.days
    under = elapsed >= Decimal(str(MIN_PERIOD_ELAPSED)) and projected * 100 < (
        period.limit * under_pct
    )
    return Projection(
        period=period,
        spent=spent,
        projected=projected,
        runs_out_on=runs_out_on,
        runs_out_at=None,
        reached=reached_on is not None and runs_out_on is not None,
        under=under and runs_out_on is None,
    )


def _limit_reached_on(campaign: CampaignSeries, period: Period, today: date) -> date | None:
    """The day the spend so far reached the period's limit, if it has."""
    total = campaign.spend_before_series if period.kind == "lifetime" else Decimal(0)
    for day in sorted(d for d in campaign.days if period.first <= d <= today):
        total += campaign.days[day].spend
        if total >= period.limit:
            return day
    return None


def _run_out_day(period: Period, today: date, through_today: Decimal, rate: Decimal) -> date | None:
    if through_today >= period.limit:
        return today if today < period.last else None
    if rate <= 0:
        return None
    days_more = math.ceil((period.limit - through_today) / rate)
    day = today + timedelta(days=days_more)
    # Reaching the limit on the last day is spending the budget, not running out early.
    return day if day < period.last else None


def _project_day(period: Period, spend_today: Decimal, now: datetime) -> Projection | None:
    midnight = datetime.combine(now.date(), datetime.min.time(), tzinfo=now.tzinfo)
    elapsed = (now - midnight) / timedelta(days=1)
    if spend_today >= period.limit:
        # Reached: the budget rule's own alert says so; nothing left to project.
        return Projection(period, spend_today, spend_today, None, None, False, False)
    if elapsed < MIN_DAY_ELAPSED or spend_today <= 0:
        return None
    per_day = spend_today / Decimal(str(elapsed))
    runs_out_at = None
    if per_day > period.limit:
        runs_out_at = midnight + timedelta(days=float(period.limit / per_day))
    return Projection(
        period=period,
        spent=spend_today,
        projected=per_day,
        runs_out_on=period.first if runs_out_at is not None else None,
        runs_out_at=runs_out_at,
        reached=False,
        under=False,
    )


# --- observations -----------------------------------------------------------------------


def pacing_key(org_id: UUID, campaign_id: UUID) -> AlertKey:
    return AlertKey(org_id, AlertType.BUDGET_PACING, "campaign", campaign_id)


def pacing_observation(
    org_id: UUID,
    campaign: CampaignSeries,
    now: datetime,
    today: date,
    fact_at: datetime,
    under_pct: Decimal = DEFAULT_UNDER_PCT,
) -> Observation:
    """``now`` is in the account's time zone (one-day periods extrapolate over its day)."""
    key = pacing_key(org_id, campaign.campaign_id)
    if campaign.status != ACTIVE:
        return clear(key, fact_at, f"campaign is {campaign.status}")
    projection = project(campaign, now, today, under_pct)
    if projection is None:
        return clear(key, fact_at, "nothing to pace: no budget period or too few figures")
    if projection.runs_out_on is None and not projection.under:
        return clear(key, fact_at, "spend is on pace for the budget")
    period, cur = projection.period, campaign.currency
    name = f"Campaign '{campaign.name}'"
    limit = _money(period.limit, cur)
    details = {
        # integration_id: disconnecting the integration resolves its campaigns' alerts.
        "integration_id": str(campaign.integration_id),
        "campaign_name": campaign.name,
        "platform": campaign.platform,
        "budget_period": str(campaign.budget_period),
        "pacing_period": period.kind,
        "period_start": period.first.isoformat(),
        "period_end": period.last.isoformat(),
        "limit": str(_round(period.limit)),
        "spent": str(_round(projection.spent)),
        "projected": str(_round(projection.projected)),
        "currency": cur,
    }
    if projection.runs_out_at is not None:
        at = projection.runs_out_at.strftime("%H:%M")
        return holds(
            key,
            fact_at,
            Severity.WARNING,
            f"{name} will reach its daily budget of {limit} around {at} (account time), "
            f"at today's pace ({_money(projection.spent, cur)} spent so far)",
            {**details, "runs_out_at": projection.runs_out_at.isoformat()},
        )
    if projection.runs_out_on is not None:
        end = period.last.isoformat()
        days_left = (period.last - projection.runs_out_on).days
        what = "budget" if period.kind == "lifetime" else f"{period.kind}ly limit"
        if projection.reached:
            message = (
                f"{name} reached its {what} of {limit} on {projection.runs_out_on.isoformat()}, "
                f"{days_left} days before {end} ({_money(projection.spent, cur)} spent)"
            )
        else:
            message = (
                f"{name} will run out of its {what} of {limit} on "
                f"{projection.runs_out_on.isoformat()}, {days_left} days before {end}"
            )
        return holds(
            key,
            fact_at,
            Severity.CRITICAL if projection.reached else Severity.WARNING,
            message,
            {**details, "runs_out_on": projection.runs_out_on.isoformat()},
        )
    pct = projection.used_pct.to_integral_value(ROUND_HALF_EVEN)
    return holds(
        key,
        fact_at,
        Severity.WARNING,
        f"{name} will finish far under budget: {_money(projection.projected, cur)} of "
        f"{limit} ({pct}%) projected by {period.last.isoformat()}",
        {**details, "projected_pct": str(pct)},
    )


def _round(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), ROUND_HALF_EVEN)


def _money(amount: Decimal, currency: str) -> str:
    return f"{_round(amount):,} {currency}"
