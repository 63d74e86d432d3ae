"""The ``integrations`` rows dashboard-api owns: connect (or reconnect), update, disconnect.
Credentials are stored encrypted; a reconnect that brings no refresh token keeps the stored
one. Every change publishes its ``integration.*`` event through the caller's unit of work."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cmis_dashboard_api.ports import IntegrationChange
from cmis_dashboard_api.schemas.orgs import IntegrationOut
from cmis_shared.crypto import TokenCipher
from cmis_shared.db.models import Integration
from cmis_shared.events import (
    IntegrationConnected,
    IntegrationDisconnected,
    IntegrationStatus,
    IntegrationUpdated,
    Platform,
)
from cmis_shared.uow import UnitOfWork


def integration_out(row: Integration) -> IntegrationOut:
    return IntegrationOut.model_validate(row, from_attributes=True)


async def list_integrations(session: AsyncSession, org_id: UUID) -> list[IntegrationOut]:
    rows = await session.scalars(
        select(Integration)
        .where(Integration.org_id == org_id, Integration.status != IntegrationStatus.DISCONNECTED)
        .order_by(Integration.platform, Integration.account_name)
    )
    return [integration_out(row) for row in rows]


async def find_integration(
    session: AsyncSession, org_id: UUID, integration_id: UUID, *, lock: bool = False
) -> Integration | None:
    query = select(Integration).where(
        Integration.id == integration_id,
        Integration.org_id == org_id,
        Integration.status != IntegrationStatus.DISCONNECTED,
    )
    return await session.scalar(query.with_for_update() if lock else query)


def merge_credentials(
    cipher: TokenCipher, stored: bytes | None, given: dict[str, Any]
) -> dict[str, Any]:
    """New credentials over the stored ones; absent or null fields keep their stored value."""
    merged = cipher.decrypt(stored) if stored else {}
    merged.update({key: value for key, value in given.items() if value is not None})
    return merged


def facts(row: Integration) -> dict[str, Any]:
    return {
        "org_id": row.org_id,
        "integration_id": row.id,
        "platform": Platform(row.platform),
        "account_id": row.account_id,
        "account_name": row.account_name,
        "status": IntegrationStatus(row.status),
        "status_reason": row.status_reason,
        "currency": row.currency,
        "timezone": row.timezone,
        "token_expires_at": row.token_expires_at,
        "refreshable": row.refreshable,
        "connected_at": row.created_at,
    }


async def connect(
    uow: UnitOfWork,
    cipher: TokenCipher,
    org_id: UUID,
    values: dict[str, Any],
    credentials: dict[str, Any],
) -> Integration:
    """Insert, or reconnect the org's existing row for this platform account."""
    row = await uow.session.scalar(
        select(Integration)
        .where(
            Integration.org_id == org_id,
            Integration.platform == values["platform"],
            Integration.account_id == values["account_id"],
        )
        .with_for_update()
    )
    if row is None:
        row = Integration(org_id=org_id, **values)
        row.credentials_encrypted = cipher.encrypt(merge_credentials(cipher, None, credentials))
        uow.session.add(row)
    else:
        for key, value in values.items():
            setattr(row, key, value)
        row.credentials_encrypted = cipher.encrypt(
            merge_credentials(cipher, row.credentials_encrypted, credentials)
        )
        row.credentials_version = Integration.credentials_version + 1  # type: ignore[assignment]
        row.consecutive_failures, row.first_failure_at = 0, None
    row.status, row.status_reason = IntegrationStatus.ACTIVE, None
    await uow.session.flush()
    await uow.session.refresh(row)
    await uow.publish(IntegrationConnected(**facts(row)))
    return row


async def update(
    uow: UnitOfWork,
    cipher: TokenCipher,
    row: Integration,
    changes: dict[str, Any],
    credentials: dict[str, Any] | None,
) -> Integration:
    for key, value in changes.items():
        setattr(row, key, value)
    if "status" in changes:
        row.status_reason = None
    if credentials:
        row.credentials_encrypted = cipher.encrypt(
            merge_credentials(cipher, row.credentials_encrypted, credentials)
        )
        row.credentials_version = Integration.credentials_version + 1  # type: ignore[assignment]
    await uow.session.flush()
    await uow.session.refresh(row)
    await uow.publish(IntegrationUpdated(**facts(row)))
    return row


async def disconnect(uow: UnitOfWork, row: Integration, now: datetime) -> None:
    """Keep the row (history, reconnect) but mark it disconnected and erase its credentials:
    a disconnected integration must keep no platform tokens (a reconnect brings new ones)."""
    row.status, row.status_reason = IntegrationStatus.DISCONNECTED, "disconnected by user"
    row.credentials_encrypted = b""
    # A new version makes a sync still running lose its compare-and-swap: it cannot write
    # refreshed tokens back into a disconnected integration.
    row.credentials_version = Integration.credentials_version + 1  # type: ignore[assignment]
    row.updated_at = now
    await uow.session.flush()
    await uow.publish(
        IntegrationDisconnected(
            org_id=row.org_id, integration_id=row.id, platform=Platform(row.platform)
        )
    )


class SqlIntegrations:
    """The repository of the unit of work: rows leave it as ``IntegrationOut``."""

    def __init__(self, uow: UnitOfWork, cipher: TokenCipher) -> None:
        self._uow = uow
        self._cipher = cipher

    async def active(self, org_id: UUID) -> list[IntegrationOut]:
        return await list_integrations(self._uow.session, org_id)

    async def get(self, org_id: UUID, integration_id: UUID) -> IntegrationOut | None:
        row = await find_integration(self._uow.session, org_id, integration_id)
        return None if row is None else integration_out(row)

    async def connect(
        self, org_id: UUID, values: dict[str, Any], credentials: dict[str, Any]
    ) -> IntegrationOut:
        return integration_out(await connect(self._uow, self._cipher, org_id, values, credentials))

    async def update(
        self, org_id: UUID, integration_id: UUID, change: IntegrationChange
    ) -> IntegrationOut | None:
        row = await find_integration(self._uow.session, org_id, integration_id, lock=True)
        if row is None:
            return None
        row = await update(self._uow, self._cipher, row, change.fields, change.credentials)
        return integration_out(row)

    async def disconnect(self, org_id: UUID, integration_id: UUID, now: datetime) -> bool:
        row = await find_integration(self._uow.session, org_id, integration_id, lock=True)
        if row is None:
            return False
        await disconnect(self._uow, row, now)
        return True
