"""The entries of the chart and table routes, from the rows the queries read: campaign
figures over a period with their budget use, posts with their engagement, alerts, each
with its freshness where it is a figure; and the page cut with its next cursor."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID

from cmis_dashboard_api.domain import render
from cmis_dashboard_api.domain.cursor import Cursor
from cmis_dashboard_api.domain.figures import (
    budget_period,
    budget_used_pct,
    spend_against_budget,
)
from cmis_dashboard_api.domain.freshness import freshness, local_today
from cmis_dashboard_api.domain.fx import RateBook
from cmis_dashboard_api.domain.reporting import reporting
from cmis_dashboard_api.domain.series import Totals
from cmis_dashboard_api.domain.state import CampaignFigures, DayMoney, PostItem

Row = TypeVar("Row", bound=Mapping[str, Any])


def cut_page(
    rows: Sequence[Row], limit: int, sort: str, key: Callable[[Row], str]
) -> tuple[Sequence[Row], str | None]:
    """The page (the query read ``limit + 1`` rows) and the cursor after its last row."""
    if len(rows) <= limit:
        return rows, None
    page = rows[:limit]
    last = page[-1]
    return page, Cursor(sort, key(last), str(last["id"])).encode()


def campaign_figures(
    row: Mapping[str, Any], daily: Iterable[Mapping[str, Any]] = ()
) -> CampaignFigures:
    """The campaign of a query row, with its period's money by day (``daily``: rows of
    ``day``, ``spend``, ``conversion_value``) when it is to be converted."""
    return CampaignFigures(
        id=row["id"],
        name=row["name"],
        platform=row["platform"],
        status=row["status"],
        currency=row["currency"],
        budget_amount=row["budget_amount"],
        budget_period=row["budget_period"],
        spend_today=row["spend_today"],
        spend_lifetime=row["spend_lifetime"],
        spend=row["spend"],
        impressions=int(row["impressions"]),
        clicks=int(row["clicks"]),
        conversions=row["conversions"],
        conversion_value=row["conversion_value"],
        daily=[DayMoney.model_validate(dict(day)) for day in daily],
    )


def campaign_entries(
    rows: Sequence[Mapping[str, Any]],
    daily: Mapping[tuple[UUID, str], Sequence[Mapping[str, Any]]],
    currency: str | None,
    rates: RateBook,
    first: date,
    last: date,
    now: datetime,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The campaigns' entries, each with its period's money in ``currency`` converted as the
    dashboard converts it (``daily``: the days of those in another currency, by integration
    and external id), and the response's ``currency`` and ``exchange_rates``."""
    campaigns = [
        campaign_figures(row, daily.get((row["integration_id"], row["external_id"]), ()))
        for row in rows
    ]
    money = reporting(campaigns, currency, rates, now.date())
    entries = [
        campaign_entry(row, first, last, now, render.converted_money(entry, money.currency))
        for row, entry in zip(rows, money.campaigns, strict=True)
    ]
    rates_used = {"currency": money.currency, "exchange_rates": render.exchange_rates_used(money)}
    return entries, rates_used


def campaign_entry(
    row: Mapping[str, Any],
    first: date,
    last: date,
    now: datetime,
    converted: dict[str, Any] | None,
) -> dict[str, Any]:
    figures = campaign_figures(row)
    totals = Totals()
    totals.add(row)
    last_day = min(last, local_today(now, row["timezone"]))
    fresh = freshness(row["platform"], row["timezone"], row["last_synced_at"], last_day, now)
    return {
        "id": row["id"],
        "integration_id": row["integration_id"],
        "external_id": row["external_id"],
        "name": row["name"],
        "platform": row["platform"],
        "status": row["status"],
        "currency": row["currency"],
        "budget": row["budget_amount"],
        "budget_period": budget_period(figures),
        "spend_against_budget": spend_against_budget(figures),
        "budget_used_pct": budget_used_pct(figures),
        "from": first,
        "to": last,
        **totals.figures(),
        "converted": converted,
        "freshness": fresh.as_dict(),
    }


def post_entry(row: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    published_day = local_today(row["published_at"], row["timezone"])
    fresh = freshness(row["platform"], row["timezone"], row["last_synced_at"], published_day, now)
    post = PostItem.model_validate(row)
    return {
        **render.post_entry(post),
        "integration_id": row["integration_id"],
        "text": row["text"],
        "freshness": fresh.as_dict(),
    }


def alert_entry(row: Mapping[str, Any]) -> dict[str, Any]:
    is_integration = row["subject_type"] == "integration"
    details = dict(row["details"] or {})
    integration = row["subject_id"] if is_integration else _uuid(details.get("integration_id"))
    return {
        "id": row["id"],
        "type": row["alert_type"],
        "severity": row["severity"],
        "status": row["status"],
        "message": row["message"],
        "subject_type": row["subject_type"],
        "subject_id": row["subject_id"],
        "integration_id": integration,
        # An organization-wide alert (anomalies over all campaigns) is about no one campaign.
        "campaign_id": row["subject_id"] if row["subject_type"] == "campaign" else None,
        "occurrences": row["occurrences"],
        "details": details,
        "first_seen_at": row["first_seen_at"],
        "last_seen_at": row["last_seen_at"],
        "resolved_at": row["resolved_at"],
        "acknowledged_at": row["acknowledged_at"],
        "acknowledged_by": row["acknowledged_by"],
        "snoozed_until": row["snoozed_until"],
    }


def _uuid(value: object) -> UUID | None:
    try:
        return UUID(str(value)) if value is not None else None
    except ValueError:
        return None
