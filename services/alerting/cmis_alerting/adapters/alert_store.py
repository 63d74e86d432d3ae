"""Alert state in PostgreSQL: the ``alerts`` rows (one open per key, enforced by the
``uq_alerts_open`` index) and their ``alert_history``; read inside the handler's transaction."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import String, case, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from cmis_alerting.domain.errors import AlertOpenedConcurrently
from cmis_alerting.domain.lifecycle import Action, Decision, StoredAlert
from cmis_alerting.domain.observations import AlertKey, SubjectType
from cmis_alerting.domain.user_actions import Acknowledgement
from cmis_shared.db.models import Alert, AlertHistory, Organization
from cmis_shared.events import AlertType, Severity
from cmis_shared.statuses import AlertStatus

ONE_OPEN_ALERT_INDEX = "uq_alerts_open"
UNIQUE_VIOLATION = "23505"
_SUBJECT_TYPES: dict[str, SubjectType] = {"campaign": "campaign", "organization": "organization"}


class AlertStore:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def latest(self, key: AlertKey) -> StoredAlert | None:
        """The open alert for ``key``, else the last resolved one; locked until commit so
        concurrent handlers of the same key apply their changes one after the other."""
        statement = (
            select(Alert)
            .where(
                Alert.org_id == key.org_id,
                Alert.alert_type == key.alert_type,
                Alert.subject_id == key.subject_id,
            )
            .order_by(
                case((Alert.status == AlertStatus.OPEN, 0), else_=1),
                Alert.resolved_at.desc().nulls_last(),
            )
            .limit(1)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        row = (await self._session.execute(statement)).scalar_one_or_none()
        return None if row is None else _stored(row)

    async def by_id(self, org_id: UUID, alert_id: UUID) -> tuple[AlertKey, StoredAlert] | None:
        """The organization's alert ``alert_id`` and its key, locked until commit."""
        statement = (
            select(Alert)
            .where(Alert.org_id == org_id, Alert.id == alert_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        row = (await self._session.execute(statement)).scalar_one_or_none()
        return None if row is None else (_key(row), _stored(row))

    async def acknowledge(self, change: Acknowledgement, cause_event_id: UUID | None) -> None:
        """Store a user's acknowledgement or snooze, with its history row."""
        row = (
            await self._session.execute(
                update(Alert)
                .where(Alert.id == change.alert_id)
                .values(
                    acknowledged_at=change.at,
                    acknowledged_by=change.by,
                    snoozed_until=change.snoozed_until,
                )
                .returning(Alert.severity)
            )
        ).one()
        until = change.snoozed_until.isoformat() if change.snoozed_until else None
        await self._session.execute(
            insert(AlertHistory).values(
                alert_id=change.alert_id,
                action=change.history_action,
                severity=row.severity,
                cause_event_id=cause_event_id,
                at=change.at,
                details={"by": change.by, "snoozed_until": until},
            )
        )

    async def save(self, decision: Decision, cause_event_id: UUID | None) -> UUID:
        """Write the decision and its history row; returns the alert's id."""
        alert_id = decision.alert_id or uuid4()
        if decision.alert_id is None:
            await self._insert(alert_id, decision)
        else:
            await self._session.execute(
                update(Alert).where(Alert.id == alert_id).values(_changes(decision))
            )
        if decision.action is not Action.TOUCHED:
            await self._session.execute(
                insert(AlertHistory).values(
                    alert_id=alert_id,
                    action=str(decision.action),
                    severity=str(decision.severity),
                    cause_event_id=cause_event_id,
                    details={**decision.details, "occurrences": decision.occurrences}
                    | ({"reason": decision.reason} if decision.reason else {}),
                )
            )
        return alert_id

    async def _insert(self, alert_id: UUID, decision: Decision) -> None:
        try:
            await self._session.execute(insert(Alert).values(_new_row(alert_id, decision)))
        except IntegrityError as error:
            if _violates_one_open_alert(error):
                raise AlertOpenedConcurrently(str(decision.key)) from error
            raise

    async def open_alerts_of_integration(
        self, org_id: UUID, integration_id: UUID
    ) -> list[AlertKey]:
        """Open alerts about the integration itself or about one of its campaigns."""
        statement = select(Alert).where(
            Alert.org_id == org_id,
            Alert.status == AlertStatus.OPEN,
            or_(
                Alert.subject_id == integration_id,
                Alert.details["integration_id"].astext.cast(String) == str(integration_id),
            ),
        )
        rows = (await self._session.execute(statement)).scalars().all()
        return [_key(row) for row in rows]

    async def open_by_subject(self, alert_type: AlertType) -> dict[UUID, AlertKey]:
        """The open alerts of one type, by subject id."""
        statement = select(Alert).where(
            Alert.alert_type == alert_type, Alert.status == AlertStatus.OPEN
        )
        rows = (await self._session.execute(statement)).scalars().all()
        return {row.subject_id: _key(row) for row in rows}

    async def org_settings(self, org_id: UUID) -> dict[str, Any]:
        statement = select(Organization.settings).where(Organization.id == org_id)
        return (await self._session.execute(statement)).scalar_one_or_none() or {}


def _violates_one_open_alert(error: IntegrityError) -> bool:
    # The driver's error carries the SQLSTATE; the index name is only in its message.
    sqlstate = getattr(error.orig, "sqlstate", None)
    return sqlstate == UNIQUE_VIOLATION and ONE_OPEN_ALERT_INDEX in str(error.orig)


def _stored(row: Alert) -> StoredAlert:
    return StoredAlert(
        alert_id=row.id,
        is_open=row.status == AlertStatus.OPEN,
        severity=Severity(row.severity),
        message=row.message,
        occurrences=row.occurrences,
        first_seen_at=row.first_seen_at,
        last_seen_at=row.last_seen_at,
        resolved_at=row.resolved_at,
        details=dict(row.details),
        acknowledged_at=row.acknowledged_at,
        snoozed_until=row.snoozed_until,
    )


def _key(row: Alert) -> AlertKey:
    subject_type = _SUBJECT_TYPES.get(row.subject_type, "integration")
    return AlertKey(row.org_id, AlertType(row.alert_type), subject_type, row.subject_id)


def _new_row(alert_id: UUID, decision: Decision) -> dict[str, Any]:
    key = decision.key
    return {
        "id": alert_id,
        "org_id": key.org_id,
        "alert_type": str(key.alert_type),
        "subject_type": key.subject_type,
        "subject_id": key.subject_id,
        "status": AlertStatus.OPEN,
        "first_seen_at": decision.first_seen_at or decision.last_seen_at,
        **_changes(decision),
    }


def _changes(decision: Decision) -> dict[str, Any]:
    return {
        "severity": str(decision.severity),
        "message": decision.message,
        "occurrences": decision.occurrences,
        "details": decision.details,
        "last_seen_at": decision.last_seen_at,
        **(
            {"status": AlertStatus.RESOLVED, "resolved_at": decision.resolved_at}
            if decision.action is Action.RESOLVED
            else {}
        ),
    }
