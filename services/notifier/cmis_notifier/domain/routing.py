"""Routing: a channel takes the alert types it names (all when it names none) at or above its
minimum severity. The rules travel as the channel's ``routing`` JSON."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cmis_notifier.domain.quiet_hours import QuietHours
from cmis_shared.events import AlertType, Severity

SEVERITY_RANK = {Severity.WARNING: 1, Severity.CRITICAL: 2}


@dataclass(frozen=True)
class Route:
    alert_types: frozenset[AlertType] | None = None  # None: every type
    min_severity: Severity = Severity.WARNING
    quiet_hours: QuietHours | None = None

    def takes(self, alert_type: AlertType, severity: Severity) -> bool:
        if self.alert_types is not None and alert_type not in self.alert_types:
            return False
        return SEVERITY_RANK[severity] >= SEVERITY_RANK[self.min_severity]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Route:
        """The stored form (validated by the API on the way in)."""
        types = data.get("alert_types")
        quiet = data.get("quiet_hours")
        return cls(
            alert_types=None if types is None else frozenset(AlertType(t) for t in types),
            min_severity=Severity(data.get("min_severity", Severity.WARNING)),
            quiet_hours=QuietHours.from_json(quiet) if quiet else None,
        )
