"""Read side of the chart and table routes: campaigns with their figures over a period,
daily metrics over time, posts. Only the filters given are put into the SQL, so each query
is planned against the indexes of its own filters (migration 0009); pages start after the
cursor's (sort key, id), never at an offset."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Result, text
from sqlalchemy.ext.asyncio import AsyncSession

from cmis_dashboard_api.adapters.org_settings import SqlOrgSettings
from cmis_dashboard_api.domain.cursor import Cursor

# The sort key of each campaign sort: a total order (nulls as -1) so the cursor is exact.
# "spend" is the period's spend in the organization's currency when it has one (see
# _SPEND_IN_REPORTING), so campaigns in different currencies rank by comparable amounts.
CAMPAIGN_SORTS = {
    "name": ("name", "text"),
    "spend": ("spend", "numeric"),
    "ctr": ("coalesce(clicks::numeric / nullif(impressions, 0) * 100, -1)", "numeric"),
    "budget_used_pct": (
        "coalesce(CASE WHEN budget_period = 'daily' THEN spend_today ELSE spend_lifetime END"
        " / nullif(budget_amount, 0) * 100, -1)",
        "numeric",
    ),
}

_CAMPAIGNS = """
WITH local AS (
    SELECT id, timezone, last_synced_at,
           (CAST(:now AS timestamptz) AT TIME ZONE timezone)::date AS today
    FROM integrations WHERE org_id = :org AND status <> 'disconnected'
), figures AS (
    SELECT c.id, c.integration_id, c.external_id, c.name, c.platform, c.status, c.currency,
           c.budget_amount, c.budget_period, l.timezone, l.last_synced_at,
           coalesce(f.spend, 0) AS spend, coalesce(f.impressions, 0) AS impressions,
           coalesce(f.clicks, 0) AS clicks, coalesce(f.conversions, 0) AS conversions,
           coalesce(f.conversion_value, 0) AS conversion_value,
           coalesce(f.spend_today, 0) AS spend_today,
           coalesce(f.spend_lifetime, 0) AS spend_lifetime{spend_in_reporting_column}
    FROM campaigns c
    JOIN local l ON l.id = c.integration_id
    CROSS JOIN LATERAL (  -- one probe of the daily_metrics primary key per campaign
        SELECT sum(spend) FILTER (WHERE in_period) AS spend,
               sum(impressions) FILTER (WHERE in_period) AS impressions,
               sum(clicks) FILTER (WHERE in_period) AS clicks,
               sum(conversions) FILTER (WHERE in_period) AS conversions,
               sum(conversion_value) FILTER (WHERE in_period) AS conversion_value,
               sum(spend) FILTER (WHERE day = l.today) AS spend_today,
               sum(spend) AS spend_lifetime{spend_in_reporting}
        FROM (
            SELECT *, day BETWEEN :first AND :last AS in_period FROM daily_metrics
            WHERE integration_id = c.integration_id AND campaign_external_id = c.external_id
        ) days
    ) f
    WHERE c.org_id = :org {filters}
), keyed AS (
    SELECT *, {sort_key} AS sort_key FROM figures
)
SELECT *, CAST(sort_key AS text) AS sort_text FROM keyed
{after}
ORDER BY sort_key {direction}, id {direction}
LIMIT :limit
"""


# Each day's spend at that day's rate (the last published on or before it), as the money of
# the entries is converted (domain/fx.py), unrounded: only the order matters here. A day with
# no rate yet adds nothing, as the entries leave such money out.
_RATE_ON = """(SELECT r.rate FROM exchange_rates r WHERE r.currency = {currency}
                AND r.rate_date <= days.day ORDER BY r.rate_date DESC LIMIT 1)"""
_SPEND_IN_REPORTING = f""",
               sum(spend * CASE
                   WHEN c.currency = :reporting THEN 1
                   ELSE CASE WHEN :reporting = 'EUR' THEN 1
                             ELSE {_RATE_ON.format(currency=":reporting")} END
                        / CASE WHEN c.currency = 'EUR' THEN 1
                               ELSE nullif({_RATE_ON.format(currency="c.currency")}, 0) END
               END) FILTER (WHERE in_period) AS spend_in_reporting"""


@dataclass(frozen=True)
class CampaignQuery:
    org_id: UUID
    first: date
    last: date
    now: datetime
    sort: str = "spend"
    descending: bool = True
    platform: str | None = None
    status: str | None = None
    search: str | None = None
    campaign_id: UUID | None = None
    after: Cursor | None = None
    limit: int = 50
    reporting_currency: str | None = None  # the spend sort converts into it when given


def rows_of(result: Result[Any]) -> list[dict[str, Any]]:
    return [dict(row) for row in result.mappings()]


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _after(cursor: Cursor | None, key_type: str, descending: bool) -> tuple[str, dict[str, Any]]:
    if cursor is None:
        return "", {}
    operator = "<" if descending else ">"
    clause = (
        f"WHERE (sort_key, id) {operator} (CAST(:after_key AS {key_type}), CAST(:after_id AS uuid))"
    )
    return clause, {"after_key": cursor.typed_key(key_type), "after_id": cursor.row_id}


async def campaigns(session: AsyncSession, query: CampaignQuery) -> list[dict[str, Any]]:
    sort_key, key_type = CAMPAIGN_SORTS[query.sort]
    converting = query.sort == "spend" and query.reporting_currency is not None
    if converting:
        sort_key = "spend_in_reporting"
    params: dict[str, Any] = {
        "org": query.org_id,
        "now": query.now,
        "first": query.first,
        "last": query.last,
        "limit": query.limit,
    }
    filters = []
    for column, value in (
        ("id", query.campaign_id),
        ("platform", query.platform),
        ("status", query.status),
    ):
        if value is not None:
            filters.append(f"AND c.{column} = :{column}")
            params[column] = value
    if query.search:
        filters.append("AND c.name ILIKE :search ESCAPE '\\'")
        params["search"] = _like(query.search)
    if converting:
        params["reporting"] = query.reporting_currency
    after, after_params = _after(query.after, key_type, query.descending)
    sql = _CAMPAIGNS.format(
        spend_in_reporting=_SPEND_IN_REPORTING if converting else "",
        spend_in_reporting_column=(
            ",\n           coalesce(f.spend_in_reporting, 0) AS spend_in_reporting"
            if converting
            else ""
        ),
        filters=" ".join(filters),
        sort_key=sort_key,
        after=after,
        direction="DESC" if query.descending else "ASC",
    )
    result = await session.execute(text(sql), {**params, **after_params})
    return rows_of(result)


_CAMPAIGN_DAYS = text(
    """
    SELECT day, sum(spend) AS spend, sum(impressions) AS impressions, sum(clicks) AS clicks,
           sum(conversions) AS conversions, sum(conversion_value) AS conversion_value
    FROM daily_metrics
    WHERE integration_id = :integration AND campaign_external_id = :external
      AND day BETWEEN :first AND :last
    GROUP BY day
    """
)


async def campaign_days(
    session: AsyncSession, integration_id: UUID, external_id: str, first: date, last: date
) -> list[dict[str, Any]]:
    params = {"integration": integration_id, "external": external_id, "first": first, "last": last}
    return rows_of(await session.execute(_CAMPAIGN_DAYS, params))


_CAMPAIGN_MONEY = text(
    """
    SELECT integration_id, campaign_external_id, day, sum(spend) AS spend,
           sum(conversion_value) AS conversion_value
    FROM daily_metrics
    WHERE (integration_id, campaign_external_id) IN (
            SELECT * FROM unnest(CAST(:integrations AS uuid[]), CAST(:externals AS text[])))
      AND day BETWEEN :first AND :last
    GROUP BY integration_id, campaign_external_id, day
    """
)


async def campaign_money(
    session: AsyncSession, campaigns: list[tuple[UUID, str]], first: date, last: date
) -> dict[tuple[UUID, str], list[dict[str, Any]]]:
    """The money by day of ``campaigns`` (integration id, external id): what converts at
    each day's rate. One query for a page."""
    found: dict[tuple[UUID, str], list[dict[str, Any]]] = {}
    if not campaigns:
        return found
    params = {
        "integrations": [integration for integration, _ in campaigns],
        "externals": [external for _, external in campaigns],
        "first": first,
        "last": last,
    }
    for row in rows_of(await session.execute(_CAMPAIGN_MONEY, params)):
        key = (row.pop("integration_id"), row.pop("campaign_external_id"))
        found.setdefault(key, []).append(row)
    return found


async def reporting_currency(session: AsyncSession, org_id: UUID) -> str | None:
    """The currency the organization reports in, as its dashboard does: its chosen one, else
    its first connected account's."""
    settings = SqlOrgSettings(session)
    chosen = (await settings.read(org_id)).currency
    return chosen if chosen is not None else await settings.first_account_currency(org_id)


_METRICS = """
SELECT i.platform, m.day, m.currency, sum(m.spend) AS spend,
       sum(m.impressions) AS impressions, sum(m.clicks) AS clicks,
       sum(m.conversions) AS conversions, sum(m.conversion_value) AS conversion_value
FROM daily_metrics m
JOIN integrations i ON i.id = m.integration_id
WHERE m.org_id = :org AND m.day BETWEEN :first AND :last AND i.status <> 'disconnected' {platform}
GROUP BY i.platform, m.day, m.currency
"""
_SYNCED = """
SELECT platform, timezone, last_synced_at FROM integrations
WHERE org_id = :org AND status <> 'disconnected' {platform}
"""


async def daily_metrics(
    session: AsyncSession, org_id: UUID, first: date, last: date, platform: str | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Sums per (platform, day, currency), and every live integration's sync state."""
    params: dict[str, Any] = {"org": org_id, "first": first, "last": last}
    where = ""
    if platform is not None:
        where, params["platform"] = "AND platform = :platform", platform
    metrics = await session.execute(
        text(_METRICS.format(platform=where.replace("AND ", "AND i."))), params
    )
    synced = await session.execute(text(_SYNCED.format(platform=where)), params)
    return rows_of(metrics), rows_of(synced)


_POSTS = """
SELECT p.id, p.integration_id, p.platform, p.text, p.published_at, p.likes, p.comments,
       p.shares, p.impressions, i.timezone, i.last_synced_at
FROM posts p
JOIN integrations i ON i.id = p.integration_id
WHERE p.org_id = :org AND i.status <> 'disconnected' {filters}
ORDER BY p.published_at DESC, p.id DESC
LIMIT :limit
"""


@dataclass(frozen=True)
class PostQuery:
    org_id: UUID
    platform: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    after: Cursor | None = None
    limit: int = 50


async def posts(session: AsyncSession, query: PostQuery) -> list[dict[str, Any]]:
    params: dict[str, Any] = {"org": query.org_id, "limit": query.limit}
    filters = []
    if query.platform is not None:
        filters.append("AND p.platform = :platform")
        params["platform"] = query.platform
    if query.since is not None:
        filters.append("AND p.published_at >= :since")
        params["since"] = query.since
    if query.until is not None:
        filters.append("AND p.published_at < :until")
        params["until"] = query.until
    if query.after is not None:
        filters.append(
            "AND (p.published_at, p.id)"
            " < (CAST(:after_key AS timestamptz), CAST(:after_id AS uuid))"
        )
        params.update(after_key=query.after.typed_key("timestamptz"), after_id=query.after.row_id)
    sql = _POSTS.format(filters=" ".join(filters))
    return rows_of(await session.execute(text(sql), params))
