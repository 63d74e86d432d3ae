"""The simulator dataset expressed in the connectors' normalized model: what a connector
must return for a given simulated account. Tests compare against this, not hand-written
numbers."""

from __future__ import annotations

from datetime import date

from cmis_platform_sim.dataset import Dataset
from cmis_shared.events import BudgetPeriod
from cmis_sync_worker.connectors.base import (
    NormalizedCampaign,
    NormalizedDailyMetric,
    NormalizedPost,
)


def campaigns(ds: Dataset, platform: str, account_id: str) -> list[NormalizedCampaign]:
    return [
        NormalizedCampaign(
            external_id=c.external_id,
            name=c.name,
            status=c.status,
            currency=c.currency,
            budget_amount=c.budget_amount,
            budget_period=BudgetPeriod(c.budget_period) if c.budget_period else None,
            start_date=c.start_date,
            end_date=c.end_date,
        )
        for c in ds.campaigns(platform, account_id)
    ]


def daily_metrics(
    ds: Dataset, platform: str, account_id: str, since: date, until: date
) -> list[NormalizedDailyMetric]:
    return [
        NormalizedDailyMetric(
            campaign_external_id=m.campaign_external_id,
            day=m.day,
            currency=m.currency,
            impressions=m.impressions,
            clicks=m.clicks,
            spend=m.spend,
            conversions=m.conversions,
            conversion_value=m.conversion_value,
        )
        for m in ds.daily_metrics(platform, account_id, since, until)
    ]


def posts(ds: Dataset, platform: str, owner_id: str, channel: str = "") -> list[NormalizedPost]:
    return [
        NormalizedPost(
            external_id=p.external_id,
            text=p.text,
            published_at=p.published_at,
            likes=p.likes,
            comments=p.comments,
            shares=p.shares,
            impressions=p.impressions,
        )
        for p in ds.posts(platform, owner_id, channel)
    ]
