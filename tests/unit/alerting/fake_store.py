"""An in-memory alert store with the same dedupe rule as the database (one open per key)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from uuid import UUID

from cmis_alerting.domain.errors import AlertOpenedConcurrently
from cmis_alerting.domain.lifecycle import Action, Decision, StoredAlert
from cmis_alerting.domain.observations import AlertKey
from cmis_alerting.domain.user_actions import Acknowledgement


@dataclass
class FakeAlertStore:
    alerts: dict[UUID, tuple[AlertKey, StoredAlert]] = field(default_factory=dict)
    history: list[tuple[UUID, Action | str, UUID | None]] = field(default_factory=list)

    async def latest(self, key: AlertKey) -> StoredAlert | None:
        candidates = [alert for k, alert in self.alerts.values() if k == key]
        open_ = [a for a in candidates if a.is_open]
        if open_:
            return open_[0]
        resolved = sorted(candidates, key=lambda a: a.resolved_at or a.last_seen_at)
        return resolved[-1] if resolved else None

    async def save(self, decision: Decision, cause_event_id: UUID | None) -> UUID:
        alert_id = decision.alert_id or uuid.uuid4()
        if decision.alert_id is None:
            current = await self.latest(decision.key)
            if current is not None and current.is_open:
                raise AlertOpenedConcurrently(str(decision.key))  # as uq_alerts_open refuses it
            stored = StoredAlert(
                alert_id, True, decision.severity, decision.message, decision.occurrences,
                decision.last_seen_at, decision.last_seen_at, None, decision.details,
            )  # fmt: skip
        else:
            stored = replace(
                self.alerts[alert_id][1],
                is_open=decision.action is not Action.RESOLVED,
                severity=decision.severity,
                message=decision.message,
                occurrences=decision.occurrences,
                last_seen_at=decision.last_seen_at,
                resolved_at=decision.resolved_at,
                details=decision.details,
            )
        self.alerts[alert_id] = (decision.key, stored)
        if decision.action is not Action.TOUCHED:
            self.history.append((alert_id, decision.action, cause_event_id))
        return alert_id

    async def by_id(self, org_id: UUID, alert_id: UUID) -> tuple[AlertKey, StoredAlert] | None:
        found = self.alerts.get(alert_id)
        return found if found is not None and found[0].org_id == org_id else None

    async def acknowledge(self, change: Acknowledgement, cause_event_id: UUID | None) -> None:
        key, stored = self.alerts[change.alert_id]
        self.alerts[change.alert_id] = (
            key,
            replace(stored, acknowledged_at=change.at, snoozed_until=change.snoozed_until),
        )
        self.history.append((change.alert_id, change.history_action, cause_event_id))

    def open_keys(self) -> list[AlertKey]:
        return [key for key, alert in self.alerts.values() if alert.is_open]

    def open_alerts(self) -> list[StoredAlert]:
        return [alert for _, alert in self.alerts.values() if alert.is_open]
