"""Rows the alerting service reads but other services write: organizations and integrations."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cmis_shared.db.models import Integration, Organization


async def add_org(
    sessions: async_sessionmaker[AsyncSession], settings: dict[str, Any] | None = None
) -> uuid.UUID:
    org_id = uuid.uuid4()
    async with sessions() as session, session.begin():
        session.add(Organization(id=org_id, name="Acme", settings=settings or {}))
    return org_id


async def add_integration(
    sessions: async_sessionmaker[AsyncSession],
    org_id: uuid.UUID,
    token_expires_at: datetime | None,
    status: str = "active",
    platform: str = "google",
) -> uuid.UUID:
    integration_id = uuid.uuid4()
    async with sessions() as session, session.begin():
        session.add(Integration(
            id=integration_id, org_id=org_id, platform=platform,
            account_id=f"acc-{integration_id.hex[:8]}", status=status,
            credentials_encrypted=b"not-read-by-alerting", token_expires_at=token_expires_at,
        ))  # fmt: skip
    return integration_id
