"""Batched, idempotent upserts of campaigns, daily metrics and posts.

One ``INSERT ... SELECT FROM unnest(arrays) ON CONFLICT (natural key) DO UPDATE`` per batch:
a sync stored twice (or a message delivered twice) leaves the same rows. Rows whose values
did not change are not rewritten (``IS DISTINCT FROM``), so re-reading the lookback window
every hour costs reads, not dead tuples. PostgreSQL de-duplicates each batch on the key
(``DISTINCT ON``, the last occurrence wins: one statement may not touch a row twice) and
inserts in key order, so concurrent syncs of one integration lock rows in the same order
and cannot deadlock. The sort happens in the server, not in Python.

Daily metrics' amounts travel as text (``str(Decimal)``, exact) and the server casts them to
numeric: asyncpg's binary numeric encoder costs about four times as much client CPU per value
as a text element, and three amounts per row made it most of the worker's cost of a batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import asyncpg

from cmis_sync_worker.adapters.pg import chunks
from cmis_sync_worker.connectors.base import (
    NormalizedCampaign,
    NormalizedDailyMetric,
    NormalizedPost,
)
from cmis_sync_worker.domain.text import CAMPAIGN_NAME_LENGTH, CAMPAIGN_STATUS_LENGTH, clean_text

_UPSERT_CAMPAIGNS = """
INSERT INTO campaigns (id, org_id, integration_id, platform, external_id, name, status, currency,
                       budget_amount, budget_period, start_date, end_date, synced_at)
SELECT DISTINCT ON (u.external_id) gen_random_uuid(), $1, $2, $3, u.external_id, u.name,
       u.status, u.currency, u.budget_amount, u.budget_period, u.start_date, u.end_date, $4
FROM unnest($5::text[], $6::text[], $7::text[], $8::text[], $9::numeric[], $10::text[],
            $11::date[], $12::date[]) WITH ORDINALITY
     AS u(external_id, name, status, currency, budget_amount, budget_period, start_date, end_date,
          n)
ORDER BY u.external_id, u.n DESC
ON CONFLICT (integration_id, external_id) DO UPDATE SET
    name = EXCLUDED.name, status = EXCLUDED.status, currency = EXCLUDED.currency,
    budget_amount = EXCLUDED.budget_amount, budget_period = EXCLUDED.budget_period,
    start_date = EXCLUDED.start_date, end_date = EXCLUDED.end_date, synced_at = EXCLUDED.synced_at
WHERE (campaigns.name, campaigns.status, campaigns.currency, campaigns.budget_amount,
       campaigns.budget_period, campaigns.start_date, campaigns.end_date)
      IS DISTINCT FROM
      (EXCLUDED.name, EXCLUDED.status, EXCLUDED.currency, EXCLUDED.budget_amount,
       EXCLUDED.budget_period, EXCLUDED.start_date, EXCLUDED.end_date)
"""

_UPSERT_METRICS = """
INSERT INTO daily_metrics (integration_id, campaign_external_id, day, org_id, currency,
                           impressions, clicks, spend, conversions, conversion_value, synced_at)
SELECT DISTINCT ON (u.campaign_external_id, u.day) $1, u.campaign_external_id, u.day, $2,
       u.currency, u.impressions, u.clicks, u.spend::numeric, u.conversions::numeric,
       u.conversion_value::numeric, $3
FROM unnest($4::text[], $5::date[], $6::text[], $7::int8[], $8::int8[], $9::text[],
            $10::text[], $11::text[]) WITH ORDINALITY
     AS u(campaign_external_id, day, currency, impressions, clicks, spend, conversions,
          conversion_value, n)
ORDER BY u.campaign_external_id, u.day, u.n DESC
ON CONFLICT (integration_id, campaign_external_id, day) DO UPDATE SET
    currency = EXCLUDED.currency, impressions = EXCLUDED.impressions, clicks = EXCLUDED.clicks,
    spend = EXCLUDED.spend, conversions = EXCLUDED.conversions,
    conversion_value = EXCLUDED.conversion_value, synced_at = EXCLUDED.synced_at
WHERE (daily_metrics.currency, daily_metrics.impressions, daily_metrics.clicks,
       daily_metrics.spend, daily_metrics.conversions, daily_metrics.conversion_value)
      IS DISTINCT FROM
      (EXCLUDED.currency, EXCLUDED.impressions, EXCLUDED.clicks, EXCLUDED.spend,
       EXCLUDED.conversions, EXCLUDED.conversion_value)
"""

_UPSERT_POSTS = """
INSERT INTO posts (id, org_id, integration_id, platform, external_id, text, published_at,
                   likes, comments, shares, impressions, synced_at)
SELECT DISTINCT ON (u.external_id) gen_random_uuid(), $1, $2, $3, u.external_id, u.text,
       u.published_at, u.likes, u.comments, u.shares, u.impressions, $4
FROM unnest($5::text[], $6::text[], $7::timestamptz[], $8::int8[], $9::int8[], $10::int8[],
            $11::int8[]) WITH ORDINALITY
     AS u(external_id, text, published_at, likes, comments, shares, impressions, n)
ORDER BY u.external_id, u.n DESC
ON CONFLICT (integration_id, external_id) DO UPDATE SET
    text = EXCLUDED.text, published_at = EXCLUDED.published_at, likes = EXCLUDED.likes,
    comments = EXCLUDED.comments, shares = EXCLUDED.shares, impressions = EXCLUDED.impressions,
    synced_at = EXCLUDED.synced_at
WHERE (posts.text, posts.published_at, posts.likes, posts.comments, posts.shares,
       posts.impressions)
      IS DISTINCT FROM
      (EXCLUDED.text, EXCLUDED.published_at, EXCLUDED.likes, EXCLUDED.comments,
       EXCLUDED.shares, EXCLUDED.impressions)
"""


class PlatformDataStore:
    def __init__(self, connection: asyncpg.Connection, batch_size: int = 10_000) -> None:
        self._connection = connection
        self._batch_size = batch_size

    async def upsert_campaigns(
        self,
        org_id: UUID,
        integration_id: UUID,
        platform: str,
        campaigns: Sequence[NormalizedCampaign],
        synced_at: datetime,
    ) -> None:
        for batch in chunks(campaigns, self._batch_size):
            await self._connection.execute(
                _UPSERT_CAMPAIGNS, org_id, integration_id, platform, synced_at,
                [c.external_id for c in batch],
                [clean_text(c.name, CAMPAIGN_NAME_LENGTH) for c in batch],
                [clean_text(c.status, CAMPAIGN_STATUS_LENGTH) for c in batch],
                [c.currency for c in batch],
                [c.budget_amount for c in batch],
                [c.budget_period.value if c.budget_period else None for c in batch],
                [c.start_date for c in batch], [c.end_date for c in batch],
            )  # fmt: skip

    async def upsert_daily_metrics(
        self,
        org_id: UUID,
        integration_id: UUID,
        metrics: Sequence[NormalizedDailyMetric],
        synced_at: datetime,
    ) -> None:
        for batch in chunks(metrics, self._batch_size):
            await self._connection.execute(
                _UPSERT_METRICS, integration_id, org_id, synced_at,
                [m.campaign_external_id for m in batch], [m.day for m in batch],
                [m.currency for m in batch], [m.impressions for m in batch],
                [m.clicks for m in batch], [str(m.spend) for m in batch],
                [str(m.conversions) for m in batch], [str(m.conversion_value) for m in batch],
            )  # fmt: skip

    async def upsert_posts(
        self,
        org_id: UUID,
        integration_id: UUID,
        platform: str,
        posts: Sequence[NormalizedPost],
        synced_at: datetime,
    ) -> None:
        for batch in chunks(posts, self._batch_size):
            await self._connection.execute(
                _UPSERT_POSTS, org_id, integration_id, platform, synced_at,
                [p.external_id for p in batch], [clean_text(p.text) for p in batch],
                [p.published_at for p in batch], [p.likes for p in batch],
                [p.comments for p in batch], [p.shares for p in batch],
                [p.impressions for p in batch],
            )  # fmt: skip
