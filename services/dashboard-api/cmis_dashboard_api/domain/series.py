"""Figures for charts: sums of daily metrics with their ratios, and series bucketed by day
or by ISO week (Monday first), every bucket present (zeros where nothing was spent) so a
chart's axis has no holes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal

from cmis_dashboard_api.domain.figures import percent, ratio
from cmis_dashboard_api.domain.fx import round_money

Granularity = Literal["day", "week"]


@dataclass
class Totals:
    spend: Decimal = Decimal(0)
    impressions: int = 0
    clicks: int = 0
    conversions: Decimal = Decimal(0)
    conversion_value: Decimal = Decimal(0)

    def add(self, row: Mapping[str, Any]) -> None:
        self.spend += row["spend"]
        self.impressions += int(row["impressions"])
        self.clicks += int(row["clicks"])
        self.conversions += row["conversions"]
        self.conversion_value += row["conversion_value"]

    def figures(self, currency: str | None = None) -> dict[str, Any]:
        """The sums and ratios; with ``currency`` (sums converted into it) the money is
        rounded to its minor units, once, here (domain/fx.py)."""
        return {
            "spend": _shown(self.spend, currency),
            "impressions": self.impressions,
            "clicks": self.clicks,
            "conversions": self.conversions,
            "conversion_value": _shown(self.conversion_value, currency),
            "ctr": percent(self.clicks, self.impressions),
            "cpc": ratio(self.spend, self.clicks),
        }


def _shown(amount: Decimal, currency: str | None) -> Decimal:
    return amount if currency is None else round_money(amount, currency)


def bucket_start(day: date, granularity: Granularity) -> date:
    return day - timedelta(days=day.weekday()) if granularity == "week" else day


def buckets(first: date, last: date, granularity: Granularity) -> list[date]:
    step = timedelta(days=7 if granularity == "week" else 1)
    start, end = bucket_start(first, granularity), bucket_start(last, granularity)
    return [start + step * index for index in range((end - start) // step + 1)]


@dataclass
class Series:
    granularity: Granularity
    first: date
    last: date
    points: dict[date, Totals] = field(default_factory=dict)

    def add(self, day: date, row: Mapping[str, Any]) -> None:
        self.points.setdefault(bucket_start(day, self.granularity), Totals()).add(row)

    def rendered(self, currency: str | None = None) -> list[dict[str, Any]]:
        return [
            {"period_start": start, **self.points.get(start, Totals()).figures(currency)}
            for start in buckets(self.first, self.last, self.granularity)
        ]


def series_by_platform(
    rows: Iterable[Mapping[str, Any]], first: date, last: date, granularity: Granularity
) -> tuple[Series, dict[str, Series]]:
    """The total series and one per platform from rows of (platform, day, sums)."""
    total = Series(granularity, first, last)
    platforms: dict[str, Series] = {}
    for row in rows:
        total.add(row["day"], row)
        platforms.setdefault(row["platform"], Series(granularity, first, last)).add(row["day"], row)
    return total, platforms
