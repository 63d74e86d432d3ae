"""Rules about an integration's state: paused, token renewed or expiring, disconnected."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

from cmis_alerting.domain.observations import AlertKey, Observation, clear, holds
from cmis_alerting.domain.thresholds import Thresholds
from cmis_alerting.domain.tokens import reported_token_observation
from cmis_shared.events import (
    AlertType,
    IntegrationFacts,
    IntegrationStatus,
    Severity,
)

TOKEN_EXPIRED_REASON = "token_expired"


def paused_key(org_id: UUID, integration_id: UUID) -> AlertKey:
    return AlertKey(org_id, AlertType.INTEGRATION_PAUSED, "integration", integration_id)


def integration_observations(
    event: IntegrationFacts, thresholds: Thresholds, now: datetime
) -> list[Observation]:
    """A connected or updated integration: its token and whether it is paused."""
    key = paused_key(event.org_id, event.integration_id)
    if event.status is IntegrationStatus.PAUSED:
        reason = event.status_reason or "repeated sync failures"
        paused = holds(
            key,
            event.occurred_at,
            Severity.CRITICAL,
            f"The {event.platform} integration is paused: {reason}",
            {"platform": str(event.platform), "status_reason": event.status_reason},
        )
    else:
        paused = clear(key, event.occurred_at, f"integration is {event.status}")
    token = reported_token_observation(
        event,
        thresholds,
        now,
        known_expired=event.status_reason == TOKEN_EXPIRED_REASON,
        refreshable=event.refreshable,
    )
    return [paused, token]


def disconnected_observations(
    open_alerts: Iterable[AlertKey], fact_at: datetime
) -> list[Observation]:
    """Everything alerting on a disconnected integration (and its campaigns) clears."""
    return [clear(key, fact_at, "integration disconnected") for key in open_alerts]
