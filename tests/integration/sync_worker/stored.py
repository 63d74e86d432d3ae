"""What the worker stored, read back in the connectors' normalized model, and what the
simulator's dataset generator says it should be, so the two compare row by row."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cmis_platform_sim.dataset import Dataset
from cmis_shared.events import BudgetPeriod, Platform
from cmis_sync_worker.connectors.base import (
    NormalizedCampaign,
    NormalizedDailyMetric,
    NormalizedPost,
)
from tests.integration.sync_worker.world import ACCESS_TOKEN, EXTRA
from tests.support import expected


async def stored_campaigns(
    sessions: async_sessionmaker[AsyncSession], integration_id: uuid.UUID
) -> list[NormalizedCampaign]:
    async with sessions() as session:
        rows = await session.execute(
            text(
                "SELECT external_id, name, status, currency, budget_amount, budget_period, "
                "start_date, end_date FROM campaigns WHERE integration_id = :id "
                "ORDER BY external_id"
            ),
            {"id": integration_id},
        )
        return [
            NormalizedCampaign(
                r.external_id, r.name, r.status, r.currency, r.budget_amount,
                BudgetPeriod(r.budget_period) if r.budget_period else None,
                r.start_date, r.end_date,
            )
            for r in rows
        ]  # fmt: skip


async def stored_metrics(
    sessions: async_sessionmaker[AsyncSession], integration_id: uuid.UUID
) -> list[NormalizedDailyMetric]:
    async with sessions() as session:
        rows = await session.execute(
            text(
                "SELECT campaign_external_id, day, currency, impressions, clicks, spend, "
                "conversions, conversion_value FROM daily_metrics WHERE integration_id = :id "
                "ORDER BY campaign_external_id, day"
            ),
            {"id": integration_id},
        )
        return [NormalizedDailyMetric(*row) for row in rows]


async def stored_posts(
    sessions: async_sessionmaker[AsyncSession], integration_id: uuid.UUID
) -> list[NormalizedPost]:
    async with sessions() as session:
        rows = await session.execute(
            text(
                "SELECT external_id, text, published_at, likes, comments, shares, impressions "
                "FROM posts WHERE integration_id = :id ORDER BY external_id"
            ),
            {"id": integration_id},
        )
        return [NormalizedPost.model_validate(row._mapping) for row in rows]


def expected_campaigns(
    ds: Dataset, platform: Platform, account_id: str
) -> list[NormalizedCampaign]:
    return sorted(expected.campaigns(ds, platform.value, account_id), key=lambda c: c.external_id)


def expected_metrics(
    ds: Dataset, platform: Platform, account_id: str, since: date, until: date
) -> list[NormalizedDailyMetric]:
    rows = expected.daily_metrics(ds, platform.value, account_id, since, until)
    return sorted(rows, key=lambda m: (m.campaign_external_id, m.day))


def expected_posts(ds: Dataset, platform: Platform, since: datetime) -> list[NormalizedPost]:
    extra, p = EXTRA.get(platform, {}), platform.value
    if platform is Platform.META:
        posts = expected.posts(ds, p, extra["page_id"], "page")
        posts += expected.posts(ds, p, extra["ig_user_id"], "instagram")
    elif platform is Platform.TIKTOK:
        posts = expected.posts(ds, p, ACCESS_TOKEN)  # organic videos belong to the token's user
    elif platform is Platform.LINKEDIN:
        posts = expected.posts(ds, p, extra["organization_id"])
    elif platform is Platform.TWITTER:
        posts = expected.posts(ds, p, extra["user_id"])
    else:
        posts = []
    return sorted(
        (post for post in posts if post.published_at >= since), key=lambda p: p.external_id
    )
