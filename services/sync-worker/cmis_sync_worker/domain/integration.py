"""An integration as the worker reads it: the account to sync and its sealed credentials
(with their version: every write of new credentials bumps it, see the token refresher)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from cmis_shared.integrations import IntegrationRow


@dataclass(frozen=True)
class IntegrationRecord(IntegrationRow):
    credentials_encrypted: bytes = field(repr=False)
    account_extra: dict[str, str] = field(default_factory=dict)
    latest_metric_day: date | None = None  # None: no metrics stored yet (first sync)
    credentials_version: int = 0


@dataclass(frozen=True)
class SealedCredentials:
    """Credentials as the database keeps them: encrypted, with the access token's expiry."""

    ciphertext: bytes = field(repr=False)
    expires_at: datetime | None


@dataclass(frozen=True)
class StoredCredentials(SealedCredentials):
    version: int
