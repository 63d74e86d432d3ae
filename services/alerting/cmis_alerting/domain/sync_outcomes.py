"""Rules on sync outcomes: a final failure alerts, a success clears it and reports the
campaigns' budgets, (when known) the token's expiry and the API version's end of life."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from cmis_alerting.domain.api_sunset import api_sunset_observation
from cmis_alerting.domain.budget import budget_observations
from cmis_alerting.domain.observations import AlertKey, Observation, clear, holds
from cmis_alerting.domain.thresholds import Thresholds
from cmis_alerting.domain.tokens import reported_token_observation
from cmis_shared.events import AlertType, Severity, SyncCompleted, SyncFailed

ERROR_DETAIL_LIMIT = 500


def sync_failure_key(org_id: UUID, integration_id: UUID) -> AlertKey:
    return AlertKey(org_id, AlertType.SYNC_FAILURE, "integration", integration_id)


def failed_observations(event: SyncFailed) -> list[Observation]:
    """A failure with no retry left is critical; one that will be retried is not an alert yet.
    Each final failure is one more occurrence of the integration's one alert."""
    if event.will_retry:
        return []
    failure = holds(
        sync_failure_key(event.org_id, event.integration_id),
        event.occurred_at,
        Severity.CRITICAL,
        f"Sync of the {event.platform} integration failed: {event.error_class}",
        {
            "platform": str(event.platform),
            "data_type": str(event.data_type),
            "run_id": str(event.run_id),
            "attempt": event.attempt,
            "last_error_class": str(event.error_class),
            "last_error": event.message[:ERROR_DETAIL_LIMIT],
        },
        repeats=True,
    )
    return [failure]


def completed_observations(
    event: SyncCompleted, thresholds: Thresholds, now: datetime
) -> list[Observation]:
    fact_at = event.occurred_at
    observations = [
        clear(sync_failure_key(event.org_id, event.integration_id), fact_at, "a sync succeeded"),
        *budget_observations(
            event.org_id, event.integration_id, event.campaigns, thresholds, fact_at
        ),
    ]
    if event.token_expires_at is not None:  # None: this sync did not report it
        observations.append(
            reported_token_observation(event, thresholds, now, refreshable=event.token_refreshable)
        )
    if (sunset := api_sunset_observation(event, thresholds, now)) is not None:
        observations.append(sunset)
    return observations
