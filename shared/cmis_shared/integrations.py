"""One connected platform account (a row of ``integrations``) as every service reads it: the
facts an ``integration.*`` event carries. A service's own record extends it with the columns
only it uses (the scheduler's health counters, the worker's sealed credentials)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from cmis_shared.events import Platform
from cmis_shared.statuses import IntegrationStatus


@dataclass(frozen=True)
class IntegrationRow:
    id: UUID
    org_id: UUID
    platform: Platform
    account_id: str
    account_name: str
    status: IntegrationStatus
    status_reason: str | None
    currency: str | None
    timezone: str
    token_expires_at: datetime | None
    refreshable: bool
