"""The event a decision announces to other services (none for a mere last-seen touch)."""

from __future__ import annotations

from uuid import UUID

from cmis_alerting.domain.lifecycle import Action, Decision
from cmis_shared.events import AlertRaised, AlertResolved


def announce(
    decision: Decision, alert_id: UUID, correlation_id: UUID
) -> AlertRaised | AlertResolved | None:
    key = decision.key
    common = {
        "org_id": key.org_id,
        "correlation_id": correlation_id,
        "alert_id": alert_id,
        "alert_type": key.alert_type,
        "subject_type": key.subject_type,
        "subject_id": key.subject_id,
        "severity": decision.severity,
        "message": decision.message,
        "first_seen_at": decision.first_seen_at,
    }
    if decision.action is Action.TOUCHED:
        return None
    if decision.action is Action.RESOLVED:
        return AlertResolved(**common, reason=decision.reason)
    return AlertRaised(
        **common,
        escalated=decision.action is Action.ESCALATED,
        occurrences=decision.occurrences,
        details=decision.details,
    )
