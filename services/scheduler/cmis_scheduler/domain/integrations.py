"""An integration as the scheduler sees it (the facts an ``integration.updated`` carries plus
the health counters it owns), and the event that announces a change the scheduler made."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from cmis_shared.events import IntegrationUpdated
from cmis_shared.integrations import IntegrationRow


@dataclass(frozen=True)
class IntegrationRecord(IntegrationRow):
    consecutive_failures: int
    first_failure_at: datetime | None


def updated_event(
    facts: IntegrationRecord, now: datetime, correlation_id: UUID | None = None
) -> IntegrationUpdated:
    return IntegrationUpdated(
        org_id=facts.org_id,
        correlation_id=correlation_id or uuid4(),
        occurred_at=now,
        integration_id=facts.id,
        platform=facts.platform,
        account_id=facts.account_id,
        account_name=facts.account_name,
        status=facts.status,
        status_reason=facts.status_reason,
        currency=facts.currency,
        timezone=facts.timezone,
        token_expires_at=facts.token_expires_at,
        refreshable=facts.refreshable,
    )
