"""The dashboard's formulas (DESIGN.md). A division by zero gives ``None``, never an error."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from cmis_dashboard_api.domain.fx import round_money
from cmis_dashboard_api.domain.state import CampaignFigures, ContentFigures

RATIO_PLACES = Decimal("0.01")
HUNDRED = Decimal(100)


def ratio(numerator: Decimal | int, denominator: Decimal | int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATIO_PLACES)


def percent(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(RATIO_PLACES)


def roi(conversion_value: Decimal, spend: Decimal) -> Decimal | None:
    """(conversion value - spend) / spend x 100."""
    return percent(conversion_value - spend, spend)


def advertising_figures(
    campaigns: Iterable[CampaignFigures], currency: str | None = None
) -> dict[str, Decimal | int | None]:
    """The totals of ``campaigns`` (whose money is all in one currency); with ``currency``,
    the total spend is rounded to its minor units (ratios use the exact sums)."""
    spend = Decimal(0)
    impressions = clicks = 0
    conversions = conversion_value = Decimal(0)
    for campaign in campaigns:
        spend += campaign.spend
        impressions += campaign.impressions
        clicks += campaign.clicks
        conversions += campaign.conversions
        conversion_value += campaign.conversion_value
    return {
        "total_spend": spend if currency is None else round_money(spend, currency),
        "total_impressions": impressions,
        "total_clicks": clicks,
        "total_conversions": conversions,
        "avg_ctr": percent(clicks, impressions),
        "avg_cpc": ratio(spend, clicks),
        "roi": roi(conversion_value, spend),
    }


def content_figures(parts: Iterable[ContentFigures]) -> dict[str, Decimal | int | None]:
    posts = interactions = impressions = 0
    for part in parts:
        posts += part.posts_published
        interactions += part.interactions
        impressions += part.impressions
    return {"posts_published": posts, "engagement_rate": percent(interactions, impressions)}


def spend_against_budget(campaign: CampaignFigures) -> Decimal:
    """The spend the budget limits: today's (account-local) for a daily budget, else the
    lifetime spend."""
    return campaign.spend_today if campaign.budget_period == "daily" else campaign.spend_lifetime


def budget_period(campaign: CampaignFigures) -> str | None:
    """``daily`` or ``lifetime`` (a budget without a stated period counts as lifetime)."""
    if campaign.budget_amount is None:
        return None
    return "daily" if campaign.budget_period == "daily" else "lifetime"


def budget_used_pct(campaign: CampaignFigures) -> Decimal | None:
    """``spend_against_budget / budget x 100``."""
    if campaign.budget_amount is None:
        return None
    return percent(spend_against_budget(campaign), campaign.budget_amount)
