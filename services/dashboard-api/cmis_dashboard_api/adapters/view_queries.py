"""Rebuilding an organization's view state from PostgreSQL (the system of record): used when
Redis lost the view, by ``POST /dashboard/refresh`` and for non-default periods.

Each section's ``as_of`` is the database's own time of the data, so events newer than the
snapshot still apply on top of it and older ones are ignored.

The view's types are named through their module (``model.Account``): this is one of two
projections building them, next to the event one in :mod:`cmis_dashboard_api.domain.apply`.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cmis_dashboard_api.adapters.latest_runs import latest_runs
from cmis_dashboard_api.domain import state as model
from cmis_dashboard_api.domain.sync_status import sync_status_of_run
from cmis_shared.statuses import RunStatus

SCHEDULED_KEPT = 50

# FOR SHARE: a settings change holds the row FOR UPDATE from before its event's occurred_at
# until it commits, so this read waits for it and sees its values. Without the wait, a rebuild
# read before that commit stamped settings_as_of later than the event, and the event, taken
# for an old one, was dropped: the view kept the old currency until it expired.
_ORG = text("SELECT name, timezone, currency FROM organizations WHERE id = :org FOR SHARE")
_INTEGRATIONS = text(
    "SELECT id, platform, account_id, account_name, status, status_reason, currency, "
    "token_expires_at, last_synced_at, updated_at, created_at "
    "FROM integrations WHERE org_id = :org"
)
_LOCAL_DAYS = """
    WITH local AS (
        SELECT id, (CAST(:now AS timestamptz) AT TIME ZONE timezone)::date AS today,
               (CAST(:now AS timestamptz) AT TIME ZONE timezone)::date
                   - CAST(:days AS integer) AS since
        FROM integrations WHERE org_id = :org AND status <> 'disconnected'
    )
"""
_CAMPAIGNS = text(
    _LOCAL_DAYS
    + """
    SELECT c.id, c.integration_id, c.name, c.platform, c.status, c.currency,
           c.budget_amount, c.budget_period,
           coalesce(sum(m.spend) FILTER (WHERE m.day > l.since), 0) AS spend,
           coalesce(sum(m.impressions) FILTER (WHERE m.day > l.since), 0) AS impressions,
           coalesce(sum(m.clicks) FILTER (WHERE m.day > l.since), 0) AS clicks,
           coalesce(sum(m.conversions) FILTER (WHERE m.day > l.since), 0) AS conversions,
           coalesce(sum(m.conversion_value) FILTER (WHERE m.day > l.since), 0)
               AS conversion_value,
           coalesce(sum(m.spend) FILTER (WHERE m.day = l.today), 0) AS spend_today,
           coalesce(sum(m.spend), 0) AS spend_lifetime
    FROM campaigns c
    JOIN local l ON l.id = c.integration_id
    LEFT JOIN daily_metrics m
        ON m.integration_id = c.integration_id AND m.campaign_external_id = c.external_id
    WHERE c.org_id = :org
    GROUP BY c.id, l.today, l.since
    """
)
# The period's money by day (what converts at each day's rate), as the totals above; days
# without money are left out (the view is kept small).
_CAMPAIGN_DAYS = text(
    _LOCAL_DAYS
    + """
    SELECT c.id AS campaign_id, m.day, m.spend, m.conversion_value
    FROM campaigns c
    JOIN local l ON l.id = c.integration_id
    JOIN daily_metrics m
        ON m.integration_id = c.integration_id AND m.campaign_external_id = c.external_id
    WHERE c.org_id = :org AND m.day > l.since AND (m.spend <> 0 OR m.conversion_value <> 0)
    ORDER BY c.id, m.day
    """
)
_CONTENT = text(
    """
    SELECT integration_id, count(*) AS posts_published,
           coalesce(sum(likes + comments + shares), 0) AS interactions,
           coalesce(sum(impressions), 0) AS impressions
    FROM posts
    WHERE org_id = :org AND published_at > CAST(:now AS timestamptz) - make_interval(days => :days)
    GROUP BY integration_id
    """
)
_RECENT_POSTS = text(
    """
    SELECT * FROM (
        SELECT id, integration_id, platform, text, published_at, likes, comments, shares,
               impressions,
               row_number() OVER (PARTITION BY integration_id ORDER BY published_at DESC) AS n
        FROM posts WHERE org_id = :org
    ) ranked WHERE n <= 10
    """
)
_ALERTS = text(
    "SELECT id, alert_type, severity, message, subject_type, subject_id, first_seen_at, "
    "last_seen_at "
    "FROM alerts WHERE org_id = :org AND status = 'open'"
)
_KPIS = text(
    "SELECT name, metric, target, higher_is_better FROM kpis WHERE org_id = :org ORDER BY name"
)
_SCHEDULED = text(
    "SELECT id, content, platforms, scheduled_for, status FROM scheduled_content "
    "WHERE org_id = :org AND scheduled_for >= :now ORDER BY scheduled_for LIMIT :limit"
)


async def load_kpis(session: AsyncSession, org_id: UUID) -> list[model.KpiTarget]:
    rows = (await session.execute(_KPIS, {"org": org_id})).mappings()
    return [model.KpiTarget(**row) for row in rows]


async def load_scheduled(
    session: AsyncSession, org_id: UUID, now: datetime
) -> list[model.ScheduledItem]:
    params = {"org": org_id, "now": now, "limit": SCHEDULED_KEPT}
    rows = (await session.execute(_SCHEDULED, params)).mappings()
    return [model.ScheduledItem(**row) for row in rows]


async def load_state(
    session: AsyncSession, org_id: UUID, now: datetime, period_days: int
) -> model.DashboardState | None:
    """The whole state of one org, or ``None`` if the org does not exist."""
    org = (await session.execute(_ORG, {"org": org_id})).first()
    if org is None:
        return None
    state = model.DashboardState(
        org_id=org_id,
        org_name=org.name,
        timezone=org.timezone,
        currency=org.currency,
        settings_as_of=now,
        period_days=period_days,
        updated_at=now,
    )
    params = {"org": org_id, "now": now, "days": period_days}
    synced_at = await _load_accounts(session, state, params)
    days: dict[UUID, list[model.DayMoney]] = {}
    for row in (await session.execute(_CAMPAIGN_DAYS, params)).mappings():
        days.setdefault(row["campaign_id"], []).append(
            model.DayMoney(
                day=row["day"], spend=row["spend"], conversion_value=row["conversion_value"]
            )
        )
    for row in (await session.execute(_CAMPAIGNS, params)).mappings():
        part = _contribution(state, row["integration_id"], row["platform"], synced_at)
        figures = {k: v for k, v in row.items() if k != "integration_id"}
        part.campaigns.append(model.CampaignFigures(**figures, daily=days.get(row["id"], [])))
    for row in (await session.execute(_CONTENT, params)).mappings():
        part = _contribution(state, row["integration_id"], None, synced_at)
        part.content = model.ContentFigures(
            **{k: v for k, v in row.items() if k != "integration_id"}
        )
    for row in (await session.execute(_RECENT_POSTS, params)).mappings():
        part = _contribution(state, row["integration_id"], row["platform"], synced_at)
        part.recent_posts.append(
            model.PostItem(**{k: v for k, v in row.items() if k not in ("integration_id", "n")})
        )
    await _load_lanes(session, state, org_id)
    for row in (await session.execute(_ALERTS, params)).mappings():
        state.alerts[row["id"].hex] = model.AlertItem(
            id=row["id"],
            type=row["alert_type"],
            severity=row["severity"],
            message=row["message"],
            subject_type=row["subject_type"],
            subject_id=row["subject_id"],
            first_seen_at=row["first_seen_at"],
            as_of=row["last_seen_at"],
        )
    state.kpis = await load_kpis(session, org_id)
    state.scheduled = await load_scheduled(session, org_id, now)
    return state


async def _load_accounts(
    session: AsyncSession, state: model.DashboardState, params: dict[str, object]
) -> dict[str, datetime | None]:
    synced_at: dict[str, datetime | None] = {}
    for row in (await session.execute(_INTEGRATIONS, params)).mappings():
        key = model.integration_key(row["id"])
        synced_at[key] = row["last_synced_at"]
        state.accounts[key] = model.Account(
            id=row["id"],
            platform=row["platform"],
            account_id=row["account_id"],
            account_name=row["account_name"],
            status=row["status"],
            status_reason=row["status_reason"],
            currency=row["currency"],
            token_expires_at=row["token_expires_at"],
            connected_at=row["created_at"],
            as_of=row["updated_at"],
        )
    return synced_at


def _contribution(
    state: model.DashboardState,
    integration_id: UUID,
    platform: str | None,
    synced_at: dict[str, datetime | None],
) -> model.Contribution:
    key = model.integration_key(integration_id)
    part = state.contributions.get(key)
    if part is None:
        account = state.accounts.get(key)
        at = synced_at.get(key)
        part = model.Contribution(
            platform=platform or (account.platform if account else ""),
            campaigns_as_of=at,
            content_as_of=at,
            posts_as_of=at,
        )
        state.contributions[key] = part
    return part


async def _load_lanes(session: AsyncSession, state: model.DashboardState, org_id: UUID) -> None:
    for row in await latest_runs(session, org_id):
        state.sync_lanes[model.lane_key(row["integration_id"], row["data_type"])] = model.SyncLane(
            integration_id=row["integration_id"],
            platform=row["platform"],
            data_type=row["data_type"],
            status=sync_status_of_run(row["status"]),
            run_id=row["id"],
            attempt=row["attempt"],
            last_success_at=row["last_success_at"],
            error_class=row["error_class"],
            error_message=row["error_message"],
            will_retry=row["status"] == RunStatus.RETRYING,
            next_attempt_at=row["next_attempt_at"],
            as_of=row["finished_at"] or row["started_at"] or row["requested_at"],
        )


class SqlViewSource:
    """:class:`cmis_dashboard_api.ports.ViewSource` over PostgreSQL, one session per read."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def state(
        self, org_id: UUID, now: datetime, period_days: int
    ) -> model.DashboardState | None:
        async with self._sessions() as session:
            return await load_state(session, org_id, now, period_days)

    async def plans(
        self, org_id: UUID, now: datetime
    ) -> tuple[list[model.KpiTarget], list[model.ScheduledItem]]:
        async with self._sessions() as session:
            return await load_kpis(session, org_id), await load_scheduled(session, org_id, now)
