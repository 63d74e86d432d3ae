"""Connecting, updating and disconnecting platform accounts. The repository stages the
``integration.*`` event in the same transaction as the row (outbox)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from cmis_dashboard_api.ports import IntegrationChange, UnitOfWork
from cmis_dashboard_api.schemas.orgs import IntegrationOut


async def list_integrations(uow: UnitOfWork, org_id: UUID) -> list[IntegrationOut]:
    async with uow:
        return await uow.integrations.active(org_id)


async def get_integration(
    uow: UnitOfWork, org_id: UUID, integration_id: UUID
) -> IntegrationOut | None:
    async with uow:
        return await uow.integrations.get(org_id, integration_id)


async def connect_integration(
    uow: UnitOfWork, org_id: UUID, values: dict[str, Any], credentials: dict[str, Any]
) -> IntegrationOut:
    async with uow:
        row = await uow.integrations.connect(org_id, values, credentials)
        await uow.commit()
    return row


async def update_integration(
    uow: UnitOfWork,
    org_id: UUID,
    integration_id: UUID,
    changes: dict[str, Any],
    credentials: dict[str, Any] | None,
) -> IntegrationOut | None:
    async with uow:
        row = await uow.integrations.update(
            org_id, integration_id, IntegrationChange(changes, credentials)
        )
        if row is not None:
            await uow.commit()
    return row


async def disconnect_integration(
    uow: UnitOfWork, org_id: UUID, integration_id: UUID, now: datetime
) -> bool:
    async with uow:
        found = await uow.integrations.disconnect(org_id, integration_id, now)
        if found:
            await uow.commit()
    return found
