"""API-sunset rule: the platform API version an integration's syncs use reaches the end of
life its platform announced. Warning from 60 days before, critical from 14 days (and after
the date: the platform then refuses the calls), each raised once (the lifecycle only touches
an open alert at the same severity); resolved by the first successful sync that speaks a
version with no end of life in sight, i.e. after the version setting was changed.

Learned from ``sync.completed``, which carries the version the worker's connector spoke and
its end of life (``cmis_shared.api_versions``): what alerting judges is what really ran, and
it needs no table of its own. Per integration, like the token rule, so the organization sees
which accounts a sunset would stop; the fix is the operator's (a CMIS upgrade or setting).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from uuid import UUID

from cmis_alerting.domain.observations import AlertKey, Observation, clear, holds
from cmis_alerting.domain.thresholds import Thresholds, severity_within
from cmis_shared.events import AlertType, SyncCompleted


def api_sunset_key(org_id: UUID, integration_id: UUID) -> AlertKey:
    return AlertKey(org_id, AlertType.API_SUNSET, "integration", integration_id)


def api_sunset_observation(
    event: SyncCompleted, thresholds: Thresholds, now: datetime
) -> Observation | None:
    """None when the event does not say which version ran (a worker before this field)."""
    if event.api_version is None:
        return None
    key = api_sunset_key(event.org_id, event.integration_id)
    if event.api_sunset_on is None:
        return clear(key, event.occurred_at, "no end of life announced for the API version")
    ends_at = datetime.combine(event.api_sunset_on, time(), UTC)
    remaining = ends_at - now
    severity = severity_within(
        remaining, thresholds.api_sunset_warning, thresholds.api_sunset_critical
    )
    if severity is None:
        return clear(key, event.occurred_at, "the API version's end of life is not near")
    when = "was retired on" if remaining <= timedelta(0) else "is retired on"
    return holds(
        key,
        event.occurred_at,
        severity,
        f"{event.platform} API version {event.api_version}, used by this integration's syncs, "
        f"{when} {event.api_sunset_on.isoformat()}: syncs stop then unless CMIS is upgraded",
        {
            "platform": str(event.platform),
            "api_version": event.api_version,
            "api_sunset_on": event.api_sunset_on.isoformat(),
        },
    )
