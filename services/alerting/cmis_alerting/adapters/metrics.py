"""Reads the platform data (``campaigns``, ``daily_metrics``, written by sync-worker) the
metric rules judge: one integration's campaigns with their daily figures, and the
organization's daily totals per account and currency."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from cmis_alerting.domain.series import AccountDay, CampaignSeries, DayFigures
from cmis_shared.db.models import Campaign, DailyMetric, Integration
from cmis_shared.events import BudgetPeriod


class MetricsReader:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def integration_timezone(self, integration_id: UUID) -> str | None:
        statement = select(Integration.timezone).where(Integration.id == integration_id)
        return (await self._session.execute(statement)).scalar_one_or_none()

    async def campaign_series(
        self, integration_id: UUID, since: date, until: date
    ) -> list[CampaignSeries]:
        """The integration's campaigns, each with its figures for ``[since, until]`` and its
        spend before ``since``."""
        figures: dict[str, dict[date, DayFigures]] = defaultdict(dict)
        statement = select(
            DailyMetric.campaign_external_id,
            DailyMetric.day,
            DailyMetric.spend,
            DailyMetric.impressions,
            DailyMetric.clicks,
            DailyMetric.conversions,
        ).where(
            DailyMetric.integration_id == integration_id,
            DailyMetric.day.between(since, until),
        )
        for row in (await self._session.execute(statement)).all():
            figures[row.campaign_external_id][row.day] = DayFigures(
                row.spend, row.impressions, row.clicks, row.conversions
            )
        earlier = dict(
            (
                await self._session.execute(
                    select(DailyMetric.campaign_external_id, func.sum(DailyMetric.spend))
                    .where(DailyMetric.integration_id == integration_id, DailyMetric.day < since)
                    .group_by(DailyMetric.campaign_external_id)
                )
            ).all()
        )
        campaigns = (
            await self._session.execute(
                select(Campaign)
                .where(Campaign.integration_id == integration_id)
                .order_by(Campaign.external_id)
            )
        ).scalars()
        return [
            CampaignSeries(
                campaign_id=c.id,
                integration_id=integration_id,
                name=c.name,
                platform=c.platform,
                status=c.status,
                currency=c.currency,
                days=figures.get(c.external_id, {}),
                budget_amount=c.budget_amount,
                budget_period=_budget_period(c.budget_period),
                start_date=c.start_date,
                end_date=c.end_date,
                spend_before_series=earlier.get(c.external_id) or Decimal(0),
            )
            for c in campaigns
        ]

    async def organization_days(self, org_id: UUID, since: date, until: date) -> list[AccountDay]:
        """The organization's daily totals per ad account and currency over the days."""
        statement = (
            select(
                DailyMetric.integration_id,
                DailyMetric.currency,
                DailyMetric.day,
                func.sum(DailyMetric.spend).label("spend"),
                func.sum(DailyMetric.impressions).label("impressions"),
                func.sum(DailyMetric.clicks).label("clicks"),
                func.sum(DailyMetric.conversions).label("conversions"),
            )
            .where(DailyMetric.org_id == org_id, DailyMetric.day.between(since, until))
            .group_by(DailyMetric.integration_id, DailyMetric.currency, DailyMetric.day)
        )
        return [
            AccountDay(
                row.integration_id,
                row.currency,
                row.day,
                DayFigures(row.spend, int(row.impressions), int(row.clicks), row.conversions),
            )
            for row in (await self._session.execute(statement)).all()
        ]


def _budget_period(value: str | None) -> BudgetPeriod | None:
    if value is None or value not in BudgetPeriod._value2member_map_:
        return None
    return BudgetPeriod(value)
