"""The grouping buffer in PostgreSQL: alerts routed to each channel (``notification_alerts``)
and the groups' timing (``notification_groups``); a flush writes the notification, the
buffer's changes and the group's time in the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import and_, case, delete, exists, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from cmis_notifier.domain.announce import SYSTEM_ORG_ID
from cmis_notifier.domain.grouping import BufferedAlert, Flush, Group
from cmis_notifier.domain.messages import alert_item
from cmis_notifier.domain.records import DueGroup, RoutedChannel
from cmis_notifier.domain.routing import Route
from cmis_notifier.domain.silences import Silence
from cmis_shared.db.models import (
    Notification as NotificationRow,
)
from cmis_shared.db.models import (
    NotificationAlert,
    NotificationChannel,
    NotificationGroup,
    NotificationSilence,
    Organization,
)
from cmis_shared.events import AlertRaised, AlertResolved, AlertType, Severity


class BufferStore:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def routed_channels(self, org_id: UUID) -> list[RoutedChannel]:
        owner = (
            NotificationChannel.org_id.is_(None)
            if org_id == SYSTEM_ORG_ID
            else NotificationChannel.org_id == org_id
        )
        rows = await self._session.execute(
            select(NotificationChannel.id, NotificationChannel.routing).where(
                owner, NotificationChannel.enabled
            )
        )
        return [RoutedChannel(row.id, Route.from_json(row.routing)) for row in rows]

    async def buffer_firing(self, channel_id: UUID, event: AlertRaised, now: datetime) -> None:
        payload = alert_item(event.model_dump(mode="json"), "firing")
        values = {
            "channel_id": channel_id,
            "alert_id": event.alert_id,
            "group_key": str(event.alert_type),
            "severity": str(event.severity),
            "subject_id": event.subject_id,
            "firing": True,
            "pending": True,
            "changed_at": now,
            "payload": payload,
        }
        statement = insert(NotificationAlert).values(values)
        # Alertmanager's rule: an alert already notified is news again only when its severity
        # changed or it fires again after a resolution; another occurrence of the same alert
        # (a repeated sync failure) updates the stored copy for the next message and the
        # repeat interval, without a message of its own.
        stored = NotificationAlert.__table__.c
        news = or_(
            stored.notified_at.is_(None),
            stored.pending,
            ~stored.firing,
            stored.severity != statement.excluded.severity,
        )
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=["channel_id", "alert_id"],
                set_={
                    "severity": statement.excluded.severity,
                    "firing": True,
                    "pending": news,
                    "changed_at": case((news, statement.excluded.changed_at),
                                       else_=stored.changed_at),
                    "payload": statement.excluded.payload,
                },
            )
        )  # fmt: skip
        await self._session.execute(
            insert(NotificationGroup)
            .values(channel_id=channel_id, group_key=str(event.alert_type), created_at=now)
            .on_conflict_do_nothing()
        )

    async def buffer_resolved(self, event: AlertResolved, now: datetime) -> int:
        # Never notified as firing (still in its group wait): nobody needs to hear it cleared.
        dropped = await self._session.execute(
            delete(NotificationAlert)
            .where(
                NotificationAlert.alert_id == event.alert_id,
                NotificationAlert.notified_at.is_(None),
            )
            .returning(NotificationAlert.channel_id, NotificationAlert.group_key)
        )
        for channel_id, group_key in dropped.all():
            await self._drop_if_empty(channel_id, group_key)
        rows = await self._session.execute(
            select(NotificationAlert).where(NotificationAlert.alert_id == event.alert_id)
        )
        copies = list(rows.scalars())
        for copy in copies:
            resolved = {
                **event.model_dump(mode="json"),
                "occurrences": copy.payload.get("occurrences", 1),
            }
            copy.payload = alert_item(resolved, "resolved")
            copy.firing, copy.pending, copy.changed_at = False, True, now
        await self._session.flush()
        return len(copies)

    async def lock_due_groups(self, limit: int, repeat_before: datetime) -> list[DueGroup]:
        # Groups whose alerts all went out and keep firing are skipped until their repeat is
        # near: a flush every second must not read every long-firing group.
        in_group = and_(
            NotificationAlert.channel_id == NotificationGroup.channel_id,
            NotificationAlert.group_key == NotificationGroup.group_key,
        )
        candidate = exists().where(in_group, NotificationAlert.pending) | (
            NotificationGroup.last_flush_at <= repeat_before
        )
        groups = (
            await self._session.execute(
                select(NotificationGroup, NotificationChannel, Organization.timezone)
                .join(NotificationChannel, NotificationChannel.id == NotificationGroup.channel_id)
                .outerjoin(Organization, Organization.id == NotificationChannel.org_id)
                .where(NotificationChannel.enabled, candidate)
                .order_by(NotificationGroup.created_at)
                .limit(limit)
                .with_for_update(of=NotificationGroup, skip_locked=True)
            )
        ).all()
        due: list[DueGroup] = []
        for group, channel, timezone in groups:
            alerts = (
                await self._session.scalars(
                    select(NotificationAlert).where(
                        NotificationAlert.channel_id == group.channel_id,
                        NotificationAlert.group_key == group.group_key,
                    )
                )
            ).all()
            due.append(
                DueGroup(
                    channel_id=channel.id,
                    org_id=channel.org_id,
                    group_key=group.group_key,
                    group=Group(group.created_at, group.last_flush_at),
                    route=Route.from_json(channel.routing),
                    timezone=timezone or "UTC",
                    alerts=[_buffered(row) for row in alerts],
                    payloads={row.alert_id: row.payload for row in alerts},
                    silences=await self._silences(channel.org_id, {a.subject_id for a in alerts}),
                )
            )
        return due

    async def _silences(self, org_id: UUID | None, subjects: set[UUID]) -> list[Silence]:
        if org_id is None or not subjects:
            return []
        rows = await self._session.scalars(
            select(NotificationSilence).where(
                NotificationSilence.org_id == org_id,
                NotificationSilence.subject_id.in_(subjects),
            )
        )
        return [
            Silence(r.subject_id, AlertType(r.alert_type) if r.alert_type else None, r.expires_at)
            for r in rows
        ]

    async def apply_flush(
        self, group: DueGroup, flush: Flush | None, body: dict[str, Any] | None, now: datetime
    ) -> None:
        in_group = and_(
            NotificationAlert.channel_id == group.channel_id,
            NotificationAlert.group_key == group.group_key,
        )
        if flush is not None and body is not None:
            self._session.add(
                NotificationRow(
                    id=UUID(body["notification_id"]),
                    org_id=group.org_id,
                    channel_id=group.channel_id,
                    kind=str(flush.kind),
                    payload=body,
                    state="pending",
                    next_attempt_at=now,
                )
            )
            if flush.firing:
                await self._session.execute(
                    update(NotificationAlert)
                    .where(
                        in_group, NotificationAlert.alert_id.in_([a.alert_id for a in flush.firing])
                    )
                    .values(pending=False, notified_at=now)
                )
            if flush.resolved:
                await self._session.execute(
                    delete(NotificationAlert).where(
                        in_group,
                        NotificationAlert.alert_id.in_([a.alert_id for a in flush.resolved]),
                    )
                )
            if flush.restarts_interval:
                await self._session.execute(
                    update(NotificationGroup)
                    .where(
                        NotificationGroup.channel_id == group.channel_id,
                        NotificationGroup.group_key == group.group_key,
                    )
                    .values(last_flush_at=now)
                )
        await self._drop_if_empty(group.channel_id, group.group_key)

    async def _drop_if_empty(self, channel_id: UUID, group_key: str) -> None:
        """A group left without alerts ends: the next alert starts a new one (group_wait)."""
        await self._session.execute(
            delete(NotificationGroup).where(
                NotificationGroup.channel_id == channel_id,
                NotificationGroup.group_key == group_key,
                ~exists().where(
                    NotificationAlert.channel_id == channel_id,
                    NotificationAlert.group_key == group_key,
                ),
            )
        )


def _buffered(row: NotificationAlert) -> BufferedAlert:
    return BufferedAlert(
        alert_id=row.alert_id,
        alert_type=AlertType(row.payload["alert_type"]),
        subject_id=row.subject_id,
        severity=Severity(row.severity),
        firing=row.firing,
        pending=row.pending,
        changed_at=row.changed_at,
    )
