"""Reads the integrations table (owned by dashboard-api, sync-worker and scheduler) for the
token-expiry timer."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from cmis_alerting.domain.tokens import TokenFacts
from cmis_shared.db.models import Integration, Organization
from cmis_shared.events import IntegrationStatus


class IntegrationReader:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def token_facts(
        self, also: Iterable[UUID], org_id: UUID | None = None
    ) -> list[TokenFacts]:
        """Every active integration whose token expires, and the integrations ``also`` names
        (those with an open token alert) whatever their state, with their org's settings;
        only the organization's, given ``org_id``."""
        statement = _token_facts_statement(also)
        if org_id is not None:
            statement = statement.where(Integration.org_id == org_id)
        rows = (await self._session.execute(statement)).all()
        return [
            TokenFacts(
                row.org_id,
                row.id,
                row.platform,
                row.token_expires_at,
                row.status,
                row.settings or {},
                refreshable=row.refreshable,
            )
            for row in rows
        ]


def _token_facts_statement(also: Iterable[UUID]) -> Select[Any]:
    return (
        select(
            Integration.org_id,
            Integration.id,
            Integration.platform,
            Integration.token_expires_at,
            Integration.status,
            Organization.settings,
            Integration.refreshable,
        )
        .join(Organization, Organization.id == Integration.org_id)
        .where(
            or_(
                and_(
                    Integration.status == IntegrationStatus.ACTIVE,
                    Integration.token_expires_at.is_not(None),
                ),
                Integration.id.in_(list(also)),
            )
        )
    )
