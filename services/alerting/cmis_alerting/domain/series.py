"""Daily figures the metric rules read: per campaign (with its budget) and per organization.

Days are the ad account's own calendar days, as ``daily_metrics`` keys them; money is in the
campaign's (or the organization total's) one currency.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from uuid import UUID

from cmis_shared.events import BudgetPeriod


@dataclass(frozen=True)
class DayFigures:
    spend: Decimal = Decimal(0)
    impressions: int = 0
    clicks: int = 0
    conversions: Decimal = Decimal(0)

    def __add__(self, other: DayFigures) -> DayFigures:
        return DayFigures(
            self.spend + other.spend,
            self.impressions + other.impressions,
            self.clicks + other.clicks,
            self.conversions + other.conversions,
        )


@dataclass(frozen=True)
class CampaignSeries:
    """One campaign: what it is, its budget, and its figures by day."""

    campaign_id: UUID
    integration_id: UUID
    name: str
    platform: str
    status: str
    currency: str
    days: Mapping[date, DayFigures] = field(default_factory=dict)
    budget_amount: Decimal | None = None
    budget_period: BudgetPeriod | None = None
    start_date: date | None = None
    end_date: date | None = None
    # Spend on the days before the series' first day (lifetime budgets count all of it).
    spend_before_series: Decimal = Decimal(0)


@dataclass(frozen=True)
class AccountDay:
    """One ad account's totals in one currency on one day (for the organization's series)."""

    integration_id: UUID
    currency: str
    day: date
    figures: DayFigures


def organization_series(rows: Iterable[AccountDay], day: date) -> dict[str, dict[date, DayFigures]]:
    """The organization's daily totals per currency, over the accounts that have figures for
    ``day``: an account not synced that far yet would otherwise read as a sudden drop."""
    rows = list(rows)
    current = {(r.integration_id, r.currency) for r in rows if r.day == day}
    totals: dict[str, dict[date, DayFigures]] = {}
    for row in rows:
        if (row.integration_id, row.currency) not in current:
            continue
        by_day = totals.setdefault(row.currency, {})
        by_day[row.day] = by_day.get(row.day, DayFigures()) + row.figures
    return totals
