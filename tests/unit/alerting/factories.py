"""Small builders of the facts alerting reads, with every field a test does not care about
filled in."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from cmis_shared.events import (
    BudgetPeriod,
    CampaignFact,
    IntegrationUpdated,
    SyncCompleted,
    SyncFailed,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ORG = uuid.UUID("00000000-0000-0000-0000-00000000000a")
INTEGRATION = uuid.UUID("00000000-0000-0000-0000-0000000000b1")


def at(seconds: float) -> datetime:
    return NOW + timedelta(seconds=seconds)


def campaign(
    budget: str | None = "1000",
    period: BudgetPeriod | None = BudgetPeriod.LIFETIME,
    *,
    today: str = "0",
    lifetime: str = "0",
    currency: str = "USD",
    name: str = "Summer",
    campaign_id: uuid.UUID | None = None,
) -> CampaignFact:
    return CampaignFact(
        campaign_id=campaign_id or uuid.uuid4(),
        external_id="ext-1",
        name=name,
        status="active",
        currency=currency,
        budget_amount=Decimal(budget) if budget is not None else None,
        budget_period=period,
        spend_today=Decimal(today),
        spend_lifetime=Decimal(lifetime),
    )


def sync_completed(occurred_at: datetime = NOW, **changes: Any) -> SyncCompleted:
    fields: dict[str, Any] = {
        "org_id": ORG, "run_id": uuid.uuid4(), "integration_id": INTEGRATION,
        "platform": "google", "data_type": "campaigns", "trigger": "scheduled", "attempt": 1,
        "started_at": occurred_at, "finished_at": occurred_at, "duration_ms": 10,
        "occurred_at": occurred_at,
    }  # fmt: skip
    return SyncCompleted.model_validate(fields | changes)


def sync_failed(
    occurred_at: datetime = NOW, *, will_retry: bool = False, message: str = "HTTP 500"
) -> SyncFailed:
    return SyncFailed(
        org_id=ORG, run_id=uuid.uuid4(), integration_id=INTEGRATION, platform="meta",
        data_type="metrics", trigger="retry", attempt=3, error_class="platform_error",
        message=message, retryable=True, will_retry=will_retry, occurred_at=occurred_at,
    )  # fmt: skip


def integration_updated(occurred_at: datetime = NOW, **changes: Any) -> IntegrationUpdated:
    fields: dict[str, Any] = {
        "org_id": ORG, "integration_id": INTEGRATION, "platform": "tiktok",
        "account_id": "acc-1", "account_name": "Main", "status": "active",
        "token_expires_at": None, "occurred_at": occurred_at,
    }  # fmt: skip
    return IntegrationUpdated.model_validate(fields | changes)
