"""Demo data: organizations with integrations on all five platforms (pointing at the platform
simulator's accounts), KPIs, scheduled content and a demo user with a fresh API token and
a known password (a development demo only: the password is printed in the banner).

Idempotent: a second run reuses what the first created and only issues a new token.
Integrations are connected through dashboard-api's own ``connect_integration`` (row +
``integration.connected`` through the outbox), so the scheduler picks them up as it would a
real connection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cmis_dashboard_api import admin
from cmis_dashboard_api.adapters.accounts import set_password
from cmis_dashboard_api.domain.passwords import Passwords
from cmis_platform_sim.dataset import Dataset
from cmis_shared.crypto import TokenCipher
from cmis_shared.db.models import Integration, Kpi, Organization, ScheduledContent
from cmis_shared.events import Platform
from cmis_shared.uow import UnitOfWork

DEMO_USER = "demo@cmis.example"
DEMO_PASSWORD = "cmis-demo-password"
DEMO_ORGS = (("Acme Retail", "Europe/Berlin"), ("Globex Travel", "America/New_York"))
# Reporting currencies the demo's admins chose: Acme reports in EUR, so its accounts in other
# currencies (the simulator's USD, GBP...) show converted at each day's euro reference rate;
# Globex chose none, so it reports in its first connected account's currency.
DEMO_ORG_CURRENCIES = {"Acme Retail": "EUR"}
ACCOUNT_EXTRA: dict[Platform, dict[str, str]] = {
    Platform.META: {"page_id": "4242", "ig_user_id": "17841400000000001"},
    Platform.LINKEDIN: {"organization_id": "2414183"},
    Platform.TWITTER: {"user_id": "783214"},
}
KPIS = (
    ("ROI", "roi", Decimal(300), True),
    ("Click-through rate", "avg_ctr", Decimal(3), True),
    ("Cost per click", "avg_cpc", Decimal("1.50"), False),
    ("Posts published", "posts_published", Decimal(20), True),
)


@dataclass
class DemoPlan:
    """What the demo must show, and how: the simulator's faults follow from it."""

    failing: tuple[Platform, str] | None = None  # (platform, account) that always fails
    orgs: list[UUID] = field(default_factory=list)
    token: str = ""


def _credentials(platform: Platform, access_token: str) -> dict[str, Any]:
    credentials: dict[str, Any] = {
        "access_token": access_token,
        "refresh_token": "sim-refresh-demo",
    }
    if platform is Platform.TWITTER:
        credentials["token_secret"] = "sim-token-secret"
    return credentials


async def seed(
    sessions: async_sessionmaker[AsyncSession], cipher: TokenCipher, dataset: Dataset
) -> DemoPlan:
    plan = DemoPlan()
    now = datetime.now(UTC)
    for index, (name, timezone) in enumerate(DEMO_ORGS):
        async with UnitOfWork(sessions) as uow:
            org = await uow.session.scalar(select(Organization).where(Organization.name == name))
            if org is None:
                org = await admin.create_organization(uow.session, name, timezone)
                org.currency = DEMO_ORG_CURRENCIES.get(name)
                await _plan_org(uow.session, org.id, now)
                for platform in Platform:
                    account = dataset.account_ids(platform.value)[index]
                    await _connect(uow, cipher, dataset, org.id, platform, account, index, now)
            await uow.commit()
            plan.orgs.append(org.id)
    plan.failing = (Platform.TIKTOK, dataset.account_ids(Platform.TIKTOK.value)[0])
    async with sessions() as session, session.begin():
        user = await admin.find_user(session, DEMO_USER)
        if user is None:
            user, plan.token = await admin.create_user(
                session, DEMO_USER, plan.orgs, "Demo", role="admin"
            )
        else:
            plan.token = await admin.issue_token(session, user.id, label="demo run")
        await set_password(session, user.id, Passwords().hash(DEMO_PASSWORD))
    return plan


async def _connect(
    uow: UnitOfWork,
    cipher: TokenCipher,
    dataset: Dataset,
    org_id: UUID,
    platform: Platform,
    account_id: str,
    org_index: int,
    now: datetime,
) -> Integration:
    account = dataset.account(platform.value, account_id)
    access_token, expires_at, refreshable = "sim-demo", None, False
    if platform in (Platform.GOOGLE, Platform.LINKEDIN):
        # Short-lived access tokens with a refresh flow: the worker refreshes them.
        expires_at = now + timedelta(hours=1)
        access_token, refreshable = f"sim-demo-exp{int(expires_at.timestamp())}", True
    elif platform is Platform.META and org_index == 0:
        # A long-lived Meta token that runs out in three days: a token-expiry alert.
        expires_at = now + timedelta(days=3)
        access_token = f"sim-demo-exp{int(expires_at.timestamp())}"
    return await admin.connect_integration(
        uow,
        org_id,
        platform.value,
        account_id,
        f"{platform.value.title()} account {account_id}",
        _credentials(platform, access_token),
        token_expires_at=expires_at,
        refreshable=refreshable,
        currency=account.currency,
        timezone=account.timezone,
        account_extra=ACCOUNT_EXTRA.get(platform, {}),
        cipher=cipher,
    )


async def _plan_org(session: AsyncSession, org_id: UUID, now: datetime) -> None:
    for name, metric, target, higher_is_better in KPIS:
        session.add(
            Kpi(org_id=org_id, name=name, metric=metric, target=target,
                higher_is_better=higher_is_better)
        )  # fmt: skip
    posts = (
        ("Spring collection is live: 20% off this weekend only", ["meta", "twitter"]),
        ("Behind the scenes at our new warehouse", ["linkedin"]),
        ("Five tips for planning your summer trip", ["tiktok", "meta"]),
    )
    for hours, (content, platforms) in zip((6, 30, 54), posts, strict=True):
        session.add(
            ScheduledContent(org_id=org_id, content=content, platforms=platforms,
                             scheduled_for=now + timedelta(hours=hours))
        )  # fmt: skip
