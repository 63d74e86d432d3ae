"""Reads the integrations table (owned by dashboard-api, sync-worker and scheduler) for the
token-expiry timer."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cmis_alerting.domain.tokens import TokenFacts
from cmis_shared.db.models import Integration, Organization
from cmis_shared.events import IntegrationStatus


async def active_token_facts(session: AsyncSession) -> list[TokenFacts]:
    """Every active integration whose token expires, with its organization's settings."""
    statement = (
        select(
            Integration.org_id,
            Integration.id,
            Integration.platform,
            Integration.token_expires_at,
            Organization.settings,
        )
        .join(Organization, Organization.id == Integration.org_id)
        .where(
            Integration.status == IntegrationStatus.ACTIVE,
            Integration.token_expires_at.is_not(None),
        )
    )
    rows = (await session.execute(statement)).all()
    return [
        TokenFacts(row.org_id, row.id, row.platform, row.token_expires_at, row.settings or {})
        for row in rows
    ]
