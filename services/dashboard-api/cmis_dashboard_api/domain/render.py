"""The dashboard document (the SEED contract's sections and field names) from the state."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from decimal import Decimal
from typing import Any

from cmis_dashboard_api.domain.figures import (
    advertising_figures,
    budget_period,
    budget_used_pct,
    content_figures,
    percent,
    spend_against_budget,
)
from cmis_dashboard_api.domain.fx import RateBook, round_money
from cmis_dashboard_api.domain.kpis import kpi_rows
from cmis_dashboard_api.domain.reporting import CampaignMoney, RatesUsed, Reporting, reporting
from cmis_dashboard_api.domain.state import (
    AlertItem,
    CampaignFigures,
    DashboardState,
    PostItem,
)
from cmis_dashboard_api.domain.sync_status import integration_status, latest, sync_summary

TOP_CAMPAIGNS, NEXT_CONTENT, RECENT_POSTS = 5, 10, 10
PREVIEW_CHARS = 140
SEVERITY_ORDER = {"critical": 0, "warning": 1}


NO_RATES = RateBook()


def render_dashboard(
    state: DashboardState, now: datetime, rates: RateBook = NO_RATES
) -> dict[str, Any]:
    """The document, its money figures in the organization's currency at ``rates``."""
    live = state.live_integration_ids()
    parts = [part for key, part in state.contributions.items() if key in live]
    campaigns = [campaign for part in parts for campaign in part.campaigns]
    money = reporting(campaigns, state.reporting_currency(), rates, now.date())
    advertising = advertising_figures(money.converted_campaigns(), money.currency)
    content = content_figures(part.content for part in parts)
    return {
        "org_id": state.org_id,
        "org_name": state.org_name,
        "timezone": state.timezone,
        "currency": money.currency,
        "exchange_rates": exchange_rates_used(money),
        "overview": {
            "period": f"Last {state.period_days} days",
            "advertising": advertising,
            "content": content,
        },
        "kpis": kpi_rows(state.kpis, {**advertising, **content}),
        "active_campaigns": _active_campaigns(money),
        "scheduled_content": _scheduled(state, now),
        "recent_posts": _recent_posts([post for part in parts for post in part.recent_posts]),
        "connected_accounts": _accounts(state, live),
        "alerts": _alerts(state),
        "sync_status": _sync_status(state, live),
        "updated_at": now,
    }


def exchange_rates_used(money: RatesUsed) -> dict[str, Any]:
    """The ``exchange_rates`` of a response: rate days used, currencies left out."""
    return {
        "rates_as_of": money.rates_as_of(),
        "rate_dates": {
            currency: {"first": first, "last": last}
            for currency, (first, last) in sorted(money.rate_dates().items())
        },
        "unconverted_currencies": sorted(money.unconverted),
    }


def _spend_rank(money: CampaignMoney) -> Decimal:
    """Campaigns rank by spend in the organization's currency (native when not converted)."""
    return money.converted.spend if money.converted is not None else money.campaign.spend


def converted_money(money: CampaignMoney, currency: str | None) -> dict[str, Any] | None:
    if money.converted is None or currency is None:
        return None
    return {
        "currency": currency,
        "spend": round_money(money.converted.spend, currency),
        "conversion_value": round_money(money.converted.conversion_value, currency),
        "rates_as_of": money.converted.rates_as_of,
    }


def _active_campaigns(money: Reporting) -> list[dict[str, Any]]:
    # Ties broken by name and id: both projections (events, rebuild) hold the campaigns in
    # different orders, and the view must not depend on which one built it.
    active = sorted(
        (entry for entry in money.campaigns if entry.campaign.status == "active"),
        key=lambda entry: (
            -_spend_rank(entry),
            -entry.campaign.impressions,
            entry.campaign.name,
            entry.campaign.id,
        ),
    )
    return [
        _campaign_entry(entry.campaign) | {"converted": converted_money(entry, money.currency)}
        for entry in active[:TOP_CAMPAIGNS]
    ]


def _campaign_entry(campaign: CampaignFigures) -> dict[str, Any]:
    return {
        "id": campaign.id,
        "name": campaign.name,
        "platform": campaign.platform,
        "currency": campaign.currency,
        "budget": campaign.budget_amount,
        "budget_period": budget_period(campaign),
        "spend": campaign.spend,
        "spend_against_budget": spend_against_budget(campaign),
        "budget_used_pct": budget_used_pct(campaign),
        "impressions": campaign.impressions,
        "clicks": campaign.clicks,
        "ctr": percent(campaign.clicks, campaign.impressions),
    }


def _scheduled(state: DashboardState, now: datetime) -> list[dict[str, Any]]:
    upcoming = sorted(
        (item for item in state.scheduled if item.scheduled_for >= now),
        key=lambda item: item.scheduled_for,
    )
    return [
        {
            "id": item.id,
            "content": _preview(item.content),
            "platforms": item.platforms,
            "scheduled_for": item.scheduled_for,
            "status": item.status,
        }
        for item in upcoming[:NEXT_CONTENT]
    ]


def _preview(text: str) -> str:
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 3].rstrip() + "..."


def _recent_posts(posts: list[PostItem]) -> list[dict[str, Any]]:
    newest = sorted(posts, key=lambda post: (post.published_at, post.id), reverse=True)
    return [post_entry(post) for post in newest[:RECENT_POSTS]]


def post_entry(post: PostItem) -> dict[str, Any]:
    """A post with its engagement, its text as a preview (the dashboard's recent posts, and
    the posts route, which adds the whole text)."""
    return {
        "id": post.id,
        "platform": post.platform,
        "content": _preview(post.text),
        "published_at": post.published_at,
        "likes": post.likes,
        "comments": post.comments,
        "shares": post.shares,
        "impressions": post.impressions,
        "engagement_rate": percent(post.likes + post.comments + post.shares, post.impressions),
    }


def _accounts(state: DashboardState, live: set[str]) -> dict[str, Any]:
    accounts = sorted(
        (account for key, account in state.accounts.items() if key in live),
        key=lambda account: (account.platform, account.account_name, account.id),
    )
    return {
        "total": len(accounts),
        "by_platform": dict(Counter(account.platform for account in accounts)),
        "accounts": [
            {
                "id": account.id,
                "platform": account.platform,
                "account_id": account.account_id,
                "account_name": account.account_name,
                "status": account.status,
                "status_reason": account.status_reason,
                "currency": account.currency,
                "token_expires_at": account.token_expires_at,
            }
            for account in accounts
        ],
    }


def _alerts(state: DashboardState) -> list[dict[str, Any]]:
    # Most severe first, then the most recently opened. Not by the last time a rule fired:
    # alerting moves that time without an event, so only a rebuild would see it.
    open_alerts = sorted(
        (alert for alert in state.alerts.values() if alert.open),
        key=lambda alert: (SEVERITY_ORDER.get(alert.severity, 2), _negated_time(alert), alert.id),
    )
    return [
        {
            "id": alert.id,
            "type": alert.type,
            "severity": alert.severity,
            "message": alert.message,
            "subject_type": alert.subject_type,
            "subject_id": alert.subject_id,
            "integration_id": alert.subject_id if alert.subject_type == "integration" else None,
            "campaign_id": alert.subject_id if alert.subject_type == "campaign" else None,
        }
        for alert in open_alerts
    ]


def _negated_time(alert: AlertItem) -> float:
    return -alert.first_seen_at.timestamp() if alert.first_seen_at else 0.0


def _sync_status(state: DashboardState, live: set[str]) -> dict[str, object]:
    lanes_by_integration: dict[str, list[str]] = {key: [] for key in live}
    for lane in state.sync_lanes.values():
        key = lane.integration_id.hex
        if key in lanes_by_integration:
            lanes_by_integration[key].append(lane.status)
    statuses = {key: integration_status(found) for key, found in lanes_by_integration.items()}
    last_sync = latest(
        lane.last_success_at
        for lane in state.sync_lanes.values()
        if lane.integration_id.hex in live
    )
    return sync_summary(statuses, last_sync)


def uses_exchange_rates(document: dict[str, Any]) -> bool:
    """Whether the rendered figures depend on exchange rates (converted or waiting for one)."""
    rates = document["exchange_rates"]
    return bool(rates["rate_dates"] or rates["unconverted_currencies"])


def seconds_until_stale(state: DashboardState, now: datetime, longest: int) -> int:
    """How long rendered bytes stay true without any event: until the next scheduled item
    passes (it leaves "next 10"), at most ``longest``."""
    upcoming = [item.scheduled_for for item in state.scheduled if item.scheduled_for >= now]
    if not upcoming:
        return longest
    return max(1, min(longest, int((min(upcoming) - now).total_seconds()) + 1))
