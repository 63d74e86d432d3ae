"""The worker's reads and writes of ``integrations``: the account to sync and its encrypted
credentials; a refreshed token, written only over the version it replaces. (The time of
the last successful sync is written with the finished run:
:mod:`cmis_sync_worker.adapters.runs`.)"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import orjson

from cmis_shared.events import IntegrationStatus, Platform
from cmis_sync_worker.domain.integration import (
    IntegrationRecord,
    SealedCredentials,
    StoredCredentials,
)

__all__ = ["IntegrationRecord", "IntegrationRepository"]

# What a sync needs of its integration (``i``); also read with the run at the start of a sync
# (:mod:`cmis_sync_worker.adapters.runs`).
INTEGRATION_COLUMNS = """
i.id, i.org_id, i.platform, i.account_id, i.account_name, i.currency, i.timezone,
i.account_extra::text AS account_extra, i.status, i.status_reason, i.credentials_encrypted,
i.token_expires_at, i.refreshable, i.credentials_version,
(SELECT max(day) FROM daily_metrics m WHERE m.integration_id = i.id) AS latest_metric_day
"""

_GET = f"SELECT {INTEGRATION_COLUMNS} FROM integrations i WHERE i.id = $1"

_READ_CREDENTIALS = """
SELECT credentials_encrypted, token_expires_at, credentials_version FROM integrations
WHERE id = $1
"""

# Compare and swap: written only over the version the writer read.
_SAVE_CREDENTIALS = """
UPDATE integrations
SET credentials_encrypted = $2, token_expires_at = $3,
    credentials_version = credentials_version + 1, updated_at = now()
WHERE id = $1 AND credentials_version = $4
RETURNING credentials_version
"""


def _extra(raw: Any) -> dict[str, str]:
    loaded = orjson.loads(raw) if isinstance(raw, str | bytes) else raw
    if not isinstance(loaded, dict):
        return {}
    return {str(k): str(v) for k, v in loaded.items() if v is not None}


def integration_record(row: asyncpg.Record) -> IntegrationRecord | None:
    """The record from a row of :data:`INTEGRATION_COLUMNS` (None when they are all null: no
    such integration)."""
    if row["id"] is None:
        return None
    return IntegrationRecord(
        id=row["id"],
        org_id=row["org_id"],
        platform=Platform(row["platform"]),
        account_id=row["account_id"],
        account_name=row["account_name"],
        currency=row["currency"],
        timezone=row["timezone"],
        status=IntegrationStatus(row["status"]),
        status_reason=row["status_reason"],
        credentials_encrypted=bytes(row["credentials_encrypted"]),
        token_expires_at=row["token_expires_at"],
        refreshable=row["refreshable"],
        account_extra=_extra(row["account_extra"]),
        latest_metric_day=row["latest_metric_day"],
        credentials_version=row["credentials_version"],
    )


class IntegrationRepository:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def get(self, integration_id: UUID) -> IntegrationRecord | None:
        row = await self._connection.fetchrow(_GET, integration_id)
        return None if row is None else integration_record(row)

    async def read_credentials(self, integration_id: UUID) -> StoredCredentials | None:
        row = await self._connection.fetchrow(_READ_CREDENTIALS, integration_id)
        if row is None:
            return None
        return StoredCredentials(
            bytes(row["credentials_encrypted"]), row["token_expires_at"], row["credentials_version"]
        )

    async def save_credentials(
        self, integration_id: UUID, sealed: SealedCredentials, expected_version: int
    ) -> int | None:
        version = await self._connection.fetchval(
            _SAVE_CREDENTIALS,
            integration_id,
            sealed.ciphertext,
            sealed.expires_at,
            expected_version,
        )
        return int(version) if version is not None else None
