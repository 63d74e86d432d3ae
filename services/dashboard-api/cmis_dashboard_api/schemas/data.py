"""Bodies of the chart and table routes: campaigns, metrics over time and posts. Every figure
carries its ``freshness`` (domain/freshness.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from cmis_dashboard_api.schemas.common import Number
from cmis_dashboard_api.schemas.dashboard import ConvertedMoney, ExchangeRatesUsed, RecentPost


class FreshnessOut(BaseModel):
    last_synced_at: datetime | None = Field(
        description="The integration's last successful sync (the oldest one, for sums)."
    )
    timezone: str = Field(description="The account's time zone: its days are these.")
    last_day: date = Field(description="The last account-local day the figures cover.")
    last_day_partial: bool = Field(
        description="The last day may still change: it is today, or inside the platform's "
        "attribution window."
    )
    partial_reason: Literal["today", "attribution_window"] | None
    revisable_from: date = Field(
        description="The first day the platform may still revise (attribution window)."
    )


class Figures(BaseModel):
    spend: Number
    impressions: int
    clicks: int
    conversions: Number
    conversion_value: Number
    ctr: Number | None = Field(description="clicks / impressions x 100; null without impressions.")
    cpc: Number | None = Field(description="spend / clicks; null without clicks.")


class CampaignOut(Figures):
    id: UUID
    integration_id: UUID
    external_id: str
    name: str
    platform: str
    status: str
    currency: str
    budget: Number | None
    budget_period: Literal["daily", "lifetime"] | None
    spend_against_budget: Number = Field(
        description="The spend the budget limits: today's for a daily budget, else lifetime."
    )
    budget_used_pct: Number | None = Field(description="spend_against_budget / budget x 100.")
    from_: date = Field(alias="from", description="First day of the figures (inclusive).")
    to: date = Field(description="Last day of the figures (inclusive).")
    converted: ConvertedMoney | None = Field(
        description="The period's money in the organization's currency, each day at that "
        "day's rate (the figures above stay in the campaign's own); null when it has no rate "
        "or no currency is known."
    )
    freshness: FreshnessOut

    model_config = {"populate_by_name": True, "serialize_by_alias": True}


class InReportingCurrency(BaseModel):
    """Which currency converted money is in and which rates converted it, as on the
    dashboard."""

    currency: str | None = Field(
        description="The organization's currency (its settings, else its first connected "
        "account's); null: none known, money is not converted."
    )
    exchange_rates: ExchangeRatesUsed


class CampaignPage(InReportingCurrency):
    items: list[CampaignOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null: last.")


class Point(Figures):
    period_start: date = Field(description="The day, or the Monday of the week.")


class CampaignDetail(InReportingCurrency):
    campaign: CampaignOut
    daily: list[Point] = Field(description="Every day of the range, zeros included.")


class Timeseries(InReportingCurrency):
    granularity: Literal["day", "week"]
    from_: date = Field(alias="from")
    to: date
    currencies: list[str] = Field(
        description="The accounts' own currencies of the money read; the series are in "
        "`currency` (converted, rounded half-even to its minor units)."
    )
    total: list[Point]
    by_platform: dict[str, list[Point]]
    freshness: FreshnessOut
    freshness_by_platform: dict[str, FreshnessOut]

    model_config = {"populate_by_name": True, "serialize_by_alias": True}


class PostOut(RecentPost):
    """A post as the dashboard's recent posts show it (``content``: a preview), with its
    whole ``text``, its integration and its freshness."""

    integration_id: UUID
    text: str
    freshness: FreshnessOut


class PostPage(BaseModel):
    items: list[PostOut]
    next_cursor: str | None


def page(items: list[dict[str, Any]], next_cursor: str | None) -> dict[str, Any]:
    return {"items": items, "next_cursor": next_cursor}
