"""The dashboard document (SEED contract). The route serves stored bytes; these models
document them and let the tests validate the shape."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from cmis_dashboard_api.domain.state import AlertFields
from cmis_dashboard_api.schemas.common import Number


class Advertising(BaseModel):
    total_spend: Number
    total_impressions: int
    total_clicks: int
    total_conversions: Number
    avg_ctr: Number | None
    avg_cpc: Number | None
    roi: Number | None


class Content(BaseModel):
    posts_published: int
    engagement_rate: Number | None


class Overview(BaseModel):
    period: str
    advertising: Advertising
    content: Content


class KpiRow(BaseModel):
    name: str
    metric: str
    target: Number
    actual: Number | None
    status: str


class ConvertedMoney(BaseModel):
    currency: str = Field(description="The organization's currency.")
    spend: Number = Field(description="`spend` converted, each day at that day's rate.")
    conversion_value: Number
    rates_as_of: date | None = Field(
        description="The newest rate publication day used (null: no conversion needed)."
    )


class RateDays(BaseModel):
    first: date
    last: date


class ExchangeRatesUsed(BaseModel):
    rates_as_of: date | None = Field(
        description="The newest euro reference rate day used for any figure (null: every "
        "amount was already in the organization's currency)."
    )
    rate_dates: dict[str, RateDays] = Field(
        description="Per converted currency, the first and last rate days used: each day's "
        "amount converts at that day's rate, a day without publication at the last before it."
    )
    unconverted_currencies: list[str] = Field(
        description="Currencies without a rate for some day: their campaigns are left out of "
        "the overview, KPIs and totals (and show `converted: null`)."
    )


class ActiveCampaign(BaseModel):
    id: UUID
    name: str
    platform: str
    currency: str
    budget: Number | None
    budget_period: Literal["daily", "lifetime"] | None = Field(
        description="What the budget limits: one account-local day, or the whole campaign."
    )
    spend: Number = Field(description="Spend over the dashboard's period (`overview.period`).")
    spend_against_budget: Number = Field(
        description="The spend the budget limits: today's for a daily budget, else lifetime."
    )
    budget_used_pct: Number | None = Field(
        description="`spend_against_budget / budget x 100`; null without a budget."
    )
    impressions: int
    clicks: int
    ctr: Number | None
    converted: ConvertedMoney | None = Field(
        description="The period's money in the organization's currency (the amounts above "
        "stay in the campaign's own); null when it has no rate or no currency is known."
    )


class UpcomingContent(BaseModel):
    id: UUID
    content: str
    platforms: list[str]
    scheduled_for: datetime
    status: str


class RecentPost(BaseModel):
    id: UUID
    platform: str
    content: str
    published_at: datetime
    likes: int
    comments: int
    shares: int
    impressions: int
    engagement_rate: Number | None


class AccountRow(BaseModel):
    id: UUID
    platform: str
    account_id: str
    account_name: str
    status: str
    status_reason: str | None
    currency: str | None
    token_expires_at: datetime | None


class ConnectedAccounts(BaseModel):
    total: int
    by_platform: dict[str, int]
    accounts: list[AccountRow]


class AlertRow(AlertFields):
    integration_id: UUID | None = Field(description="The subject, when it is an integration.")
    campaign_id: UUID | None = Field(description="The subject, when it is a campaign.")


class SyncSummary(BaseModel):
    total: int
    syncing: int
    success: int
    failed: int
    pending: int
    last_sync: datetime | None


class DashboardView(BaseModel):
    org_id: UUID
    org_name: str
    timezone: str = Field(description="The organization's IANA time zone (its settings).")
    currency: str | None = Field(
        description="The organization's currency (its settings, else its first connected "
        "account's): the overview's money, KPIs and `converted` amounts are in it. Rounded "
        "half-even to its minor units."
    )
    exchange_rates: ExchangeRatesUsed
    overview: Overview
    kpis: list[KpiRow]
    active_campaigns: list[ActiveCampaign]
    scheduled_content: list[UpcomingContent]
    recent_posts: list[RecentPost]
    connected_accounts: ConnectedAccounts
    alerts: list[AlertRow]
    sync_status: SyncSummary
    updated_at: datetime
