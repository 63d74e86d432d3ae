"""Budget rule: a campaign's spend against its own budget, in the campaign's currency.

Daily budgets compare with today's spend, lifetime budgets with lifetime spend. A campaign
without a positive budget cannot overspend, so it has no alert (and an open one clears).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal
from uuid import UUID

from cmis_alerting.domain.observations import AlertKey, Observation, clear, holds
from cmis_alerting.domain.thresholds import Thresholds
from cmis_shared.events import AlertType, BudgetPeriod, CampaignFact, Severity


def budget_key(org_id: UUID, campaign_id: UUID) -> AlertKey:
    return AlertKey(org_id, AlertType.BUDGET, "campaign", campaign_id)


def used_percent(campaign: CampaignFact) -> Decimal | None:
    """Spend as a percentage of the budget; None without a positive budget and a period."""
    budget = campaign.budget_amount
    if budget is None or budget <= 0 or campaign.budget_period is None:
        return None
    spend = (
        campaign.spend_today
        if campaign.budget_period is BudgetPeriod.DAILY
        else campaign.spend_lifetime
    )
    return spend * 100 / budget


def budget_severity(percent: Decimal, thresholds: Thresholds) -> Severity | None:
    if percent >= thresholds.budget_critical_pct:
        return Severity.CRITICAL
    if percent >= thresholds.budget_warning_pct:
        return Severity.WARNING
    return None


def budget_observation(
    org_id: UUID,
    integration_id: UUID,
    campaign: CampaignFact,
    thresholds: Thresholds,
    fact_at: datetime,
) -> Observation:
    key = budget_key(org_id, campaign.campaign_id)
    percent = used_percent(campaign)
    if percent is None:
        return clear(key, fact_at, "campaign has no budget")
    severity = budget_severity(percent, thresholds)
    if severity is None:
        return clear(key, fact_at, "spend is below the budget threshold")
    shown = percent.to_integral_value(rounding=ROUND_FLOOR)
    period = campaign.budget_period
    spend = campaign.spend_today if period is BudgetPeriod.DAILY else campaign.spend_lifetime
    return holds(
        key,
        fact_at,
        severity,
        f"Campaign '{campaign.name}' has used {shown}% of budget",
        {
            # integration_id: disconnecting the integration resolves its campaigns' alerts.
            "integration_id": str(integration_id),
            "campaign_name": campaign.name,
            "budget_period": str(period),
            "budget_amount": str(campaign.budget_amount),
            "spend": str(spend),
            "currency": campaign.currency,
            "used_pct": str(shown),
        },
    )


def budget_observations(
    org_id: UUID,
    integration_id: UUID,
    campaigns: Iterable[CampaignFact],
    thresholds: Thresholds,
    fact_at: datetime,
) -> list[Observation]:
    return [
        budget_observation(org_id, integration_id, campaign, thresholds, fact_at)
        for campaign in campaigns
    ]
