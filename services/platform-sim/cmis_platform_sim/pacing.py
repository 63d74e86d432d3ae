"""How each platform lets a campaign spend against its budget, and the simulator's pacing
inside those rules. Pure functions. DEVELOPMENT AND TEST TOOL ONLY.

The platforms' published rules for a DAILY budget (the most a day may spend, and the limit
over a longer period that keeps the average at the budget):

| platform | one day may spend | over a period |
|---|---|---|
| Google Ads | up to 2x the daily budget | a calendar month: at most 30.4x the daily budget |
| Meta | up to 75 % over (25 % before 2024) | a calendar week, Sunday to Saturday, at most 7x |
| LinkedIn | up to 50 % over | (the day's rule only, here) |
| TikTok, X | the daily budget (treated as a hard daily cap here) | - |

A LIFETIME budget is never exceeded, and the platforms pace it over the schedule (Meta's
"standard delivery", Google's total campaign budgets): a campaign whose demand outruns its
budget spends it evenly to its end date instead of running dry halfway.

The simulator paces inside every one of these rules and, on top, never spends more than
:data:`SIM_DAY_OVERSHOOT` (108 %) of a daily budget on one day, so a campaign's day stays
well inside the dashboard's 110 % (Google's 2x days are possible on the platform, not here).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from math import floor


@dataclass(frozen=True)
class DailyBudgetRule:
    day_factor: float  # the most one day may spend, x the daily budget
    period: str  # "month" | "week" (Sunday to Saturday) | "day"
    period_factor: float | None  # the most a period may spend, x the daily budget


RULES: dict[str, DailyBudgetRule] = {
    "google": DailyBudgetRule(2.0, "month", 30.4),
    "meta": DailyBudgetRule(1.75, "week", 7.0),
    "linkedin": DailyBudgetRule(1.5, "day", None),
    "tiktok": DailyBudgetRule(1.0, "day", None),
    "twitter": DailyBudgetRule(1.0, "day", None),
}
SIM_DAY_OVERSHOOT = 1.08


def period_bounds(rule: DailyBudgetRule, day: date) -> tuple[date, date]:
    """The first and last day of the period ``day`` belongs to under ``rule``."""
    if rule.period == "month":
        first = day.replace(day=1)
        next_month = (first + timedelta(days=32)).replace(day=1)
        return first, next_month - timedelta(days=1)
    if rule.period == "week":
        first = day - timedelta(days=(day.weekday() + 1) % 7)  # back to Sunday
        return first, first + timedelta(days=6)
    return day, day


def day_cap(rule: DailyBudgetRule, budget_minor: int) -> int:
    """The most the simulator spends on one day of a daily budget."""
    return floor(budget_minor * min(rule.day_factor, SIM_DAY_OVERSHOOT))


def period_cap(rule: DailyBudgetRule, budget_minor: int) -> int | None:
    return None if rule.period_factor is None else floor(budget_minor * rule.period_factor)


def pace(demand: Sequence[int], per_day: int | None, total: int | None) -> list[int]:
    """What each day of a period actually spends, in order: its demand, at most ``per_day``,
    and, when the period has a ``total``, at most its even share of what is left (with the
    day's :data:`SIM_DAY_OVERSHOOT`), so the total is never passed and a budget-limited
    campaign slows down smoothly instead of stopping dead when the budget runs out."""
    spent, out = 0, []
    for i, wanted in enumerate(demand):
        allowed = wanted if per_day is None else min(wanted, per_day)
        if total is not None:
            left = total - spent
            share = floor(left * SIM_DAY_OVERSHOOT / (len(demand) - i))
            allowed = max(0, min(allowed, share, left))
        spent += allowed
        out.append(allowed)
    return out
