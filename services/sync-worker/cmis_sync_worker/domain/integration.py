"""An integration as the worker reads it: the account to sync and its sealed credentials
(with their version: every write of new credentials bumps it, see the token refresher)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from cmis_shared.events import IntegrationStatus, Platform


@dataclass(frozen=True)
class IntegrationRecord:
    id: UUID
    org_id: UUID
    platform: Platform
    account_id: str
    account_name: str
    currency: str | None
    timezone: str
    status: IntegrationStatus
    status_reason: str | None
    credentials_encrypted: bytes = field(repr=False)
    token_expires_at: datetime | None
    refreshable: bool
    account_extra: dict[str, str] = field(default_factory=dict)
    latest_metric_day: date | None = None  # None: no metrics stored yet (first sync)
    credentials_version: int = 0


@dataclass(frozen=True)
class StoredCredentials:
    ciphertext: bytes = field(repr=False)
    expires_at: datetime | None
    version: int
