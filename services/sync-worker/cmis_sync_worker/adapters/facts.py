"""Reads back, inside the finishing transaction, the facts a ``sync.completed`` carries:
per campaign its budget and spend (today, to date, last 30 days), and the integration's
content totals and most recent posts. Aggregation happens in PostgreSQL over the primary
key range of one integration."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

import asyncpg

from cmis_shared.events import (
    BudgetPeriod,
    CampaignFact,
    ContentTotals,
    MetricTotals,
    PostFact,
)

RECENT_POSTS = 10

# A day of the last 30 with some money: the days a fact lists one by one.
_MONEY_DAY = "day >= $3 AND (spend <> 0 OR conversion_value <> 0)"

_CAMPAIGN_FACTS = f"""
SELECT c.id, c.external_id, c.name, c.status, c.currency, c.budget_amount, c.budget_period,
       coalesce(m.spend_today, 0) AS spend_today, coalesce(m.spend_lifetime, 0) AS spend_lifetime,
       coalesce(m.spend_30, 0) AS spend_30, coalesce(m.impressions_30, 0) AS impressions_30,
       coalesce(m.clicks_30, 0) AS clicks_30, coalesce(m.conversions_30, 0) AS conversions_30,
       coalesce(m.value_30, 0) AS value_30, m.days, m.days_spend, m.days_value
FROM campaigns c
LEFT JOIN (
    SELECT campaign_external_id,
           sum(spend) FILTER (WHERE day = $2) AS spend_today,
           sum(spend) AS spend_lifetime,
           sum(spend) FILTER (WHERE day >= $3) AS spend_30,
           sum(impressions) FILTER (WHERE day >= $3) AS impressions_30,
           sum(clicks) FILTER (WHERE day >= $3) AS clicks_30,
           sum(conversions) FILTER (WHERE day >= $3) AS conversions_30,
           sum(conversion_value) FILTER (WHERE day >= $3) AS value_30,
           array_agg(day ORDER BY day) FILTER (WHERE {_MONEY_DAY}) AS days,
           array_agg(spend ORDER BY day) FILTER (WHERE {_MONEY_DAY}) AS days_spend,
           array_agg(conversion_value ORDER BY day) FILTER (WHERE {_MONEY_DAY}) AS days_value
    FROM daily_metrics
    WHERE integration_id = $1 AND day <= $2
    GROUP BY campaign_external_id
) m ON m.campaign_external_id = c.external_id
WHERE c.integration_id = $1
ORDER BY c.external_id
"""
# The 30 days' money also day by day (days with some), as three parallel arrays per campaign
# (consumers convert each day at its own rate): read in the same scan and the same round trip
# as the totals.

_CONTENT_TOTALS = """
SELECT count(*) AS posts, coalesce(sum(likes + comments + shares), 0) AS interactions,
       coalesce(sum(impressions), 0) AS impressions
FROM posts WHERE integration_id = $1 AND published_at >= $2
"""

_RECENT_POSTS = """
SELECT id, external_id, text, published_at, likes, comments, shares, impressions
FROM posts WHERE integration_id = $1 ORDER BY published_at DESC, external_id LIMIT $2
"""


def _budget_period(value: str | None) -> BudgetPeriod | None:
    if value is None or value not in BudgetPeriod._value2member_map_:
        return None
    return BudgetPeriod(value)


def _daily(
    days: list[date] | None, spend: list[Decimal] | None, value: list[Decimal] | None
) -> list[dict[str, date | Decimal]]:
    """A fact's days as plain values: pydantic's core validates them into ``DailyMoney`` with
    the fact in one call (a model built by its own call costs a Python call per day, and a
    sync's facts carry some hundreds of days)."""
    if not days or spend is None or value is None:
        return []
    return [
        {"day": day, "spend": day_spend, "conversion_value": day_value}
        for day, day_spend, day_value in zip(days, spend, value, strict=True)
    ]


class FactsReader:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def campaign_facts(
        self, integration_id: UUID, today: date, since_30: date
    ) -> list[CampaignFact]:
        rows = await self._connection.fetch(_CAMPAIGN_FACTS, integration_id, today, since_30)
        return [
            CampaignFact.model_validate(
                {
                    "campaign_id": row["id"],
                    "external_id": row["external_id"],
                    "name": row["name"],
                    "status": row["status"],
                    "currency": row["currency"],
                    "budget_amount": row["budget_amount"],
                    "budget_period": _budget_period(row["budget_period"]),
                    "spend_today": row["spend_today"],
                    "spend_lifetime": row["spend_lifetime"],
                    "last_30_days": MetricTotals(
                        spend=row["spend_30"],
                        impressions=int(row["impressions_30"]),
                        clicks=int(row["clicks_30"]),
                        conversions=Decimal(row["conversions_30"]),
                        conversion_value=row["value_30"],
                    ),
                    "daily": _daily(row["days"], row["days_spend"], row["days_value"]),
                }
            )
            for row in rows
        ]

    async def content_totals(self, integration_id: UUID, since: datetime) -> ContentTotals:
        row = await self._connection.fetchrow(_CONTENT_TOTALS, integration_id, since)
        assert row is not None  # an aggregate always returns one row
        return ContentTotals(
            posts_published=row["posts"],
            interactions=int(row["interactions"]),
            impressions=int(row["impressions"]),
        )

    async def recent_posts(self, integration_id: UUID) -> list[PostFact]:
        rows = await self._connection.fetch(_RECENT_POSTS, integration_id, RECENT_POSTS)
        return [
            PostFact(
                post_id=row["id"],
                external_id=row["external_id"],
                text=row["text"],
                published_at=row["published_at"],
                likes=row["likes"],
                comments=row["comments"],
                shares=row["shares"],
                impressions=row["impressions"],
            )
            for row in rows
        ]
