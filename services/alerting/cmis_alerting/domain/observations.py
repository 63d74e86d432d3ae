"""What a rule reports: for one alert key, at one fact time, the condition holds with a
severity, or it is clear."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, NamedTuple
from uuid import UUID

from cmis_shared.events import AlertType, Severity

SubjectType = Literal["campaign", "integration", "organization"]

SEVERITY_RANK = {Severity.WARNING: 1, Severity.CRITICAL: 2}


class AlertKey(NamedTuple):
    """Identifies an alert for dedupe: at most one open alert per key."""

    org_id: UUID
    alert_type: AlertType
    subject_type: SubjectType
    subject_id: UUID


@dataclass(frozen=True)
class Observation:
    key: AlertKey
    # When the fact was true (the event's occurred_at, or the timer's now): a fact older than
    # what the stored alert already reflects must not override it.
    fact_at: datetime
    severity: Severity | None  # None: the condition is clear
    message: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    reason: str = ""  # why it cleared
    # Each observation is one more occurrence (sync failures) instead of the same one again.
    repeats: bool = False

    @property
    def is_clear(self) -> bool:
        return self.severity is None


def holds(
    key: AlertKey,
    fact_at: datetime,
    severity: Severity,
    message: str,
    details: dict[str, Any] | None = None,
    *,
    repeats: bool = False,
) -> Observation:
    return Observation(key, fact_at, severity, message, details or {}, repeats=repeats)


def clear(key: AlertKey, fact_at: datetime, reason: str) -> Observation:
    return Observation(key, fact_at, None, reason=reason)
