"""The rows dashboard-api writes for the notifier, as the unit of work's ``channels`` and
``silences`` repositories: channels (targets encrypted, the webhook secret generated here and
returned once), a channel test (a ``test`` notification the notifier's delivery loop picks
up), silences; and the attempts the notifier recorded."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from cmis_dashboard_api.schemas import notifications as schemas
from cmis_shared.crypto import TokenCipher
from cmis_shared.db.models import (
    Notification,
    NotificationAttempt,
    NotificationChannel,
    NotificationSilence,
)


def channel_out(row: NotificationChannel) -> schemas.ChannelOut:
    return schemas.ChannelOut.model_validate(row, from_attributes=True)


def _target(
    body: schemas.CreateChannel | schemas.UpdateChannel, kind: str
) -> dict[str, Any] | None:
    if kind == "email":
        return None if body.to is None else {"to": body.to}
    return None if body.url is None else {"url": str(body.url)}


def _hint(target: dict[str, Any]) -> str:
    if "to" in target:
        return str(target["to"])
    parts = urlsplit(target["url"])  # the path may carry a token (Slack's does)
    return f"{parts.scheme}://{parts.netloc}"[:320]


class SqlNotificationChannels:
    def __init__(self, session: AsyncSession, cipher: TokenCipher) -> None:
        self._session = session
        self._cipher = cipher

    async def all(self, org_id: UUID) -> list[schemas.ChannelOut]:
        rows = await self._session.scalars(
            select(NotificationChannel)
            .where(NotificationChannel.org_id == org_id)
            .order_by(NotificationChannel.created_at)
        )
        return [channel_out(row) for row in rows]

    async def _row(self, org_id: UUID, channel_id: UUID) -> NotificationChannel | None:
        return await self._session.scalar(
            select(NotificationChannel)
            .where(NotificationChannel.id == channel_id, NotificationChannel.org_id == org_id)
            .with_for_update()
        )

    async def _found(self, org_id: UUID, channel_id: UUID) -> NotificationChannel:
        row = await self._row(org_id, channel_id)
        if row is None:
            raise LookupError(f"notification channel {channel_id}")
        return row

    async def find(self, org_id: UUID, channel_id: UUID) -> schemas.ChannelOut | None:
        row = await self._row(org_id, channel_id)
        return None if row is None else channel_out(row)

    async def create(
        self, org_id: UUID, body: schemas.CreateChannel
    ) -> tuple[schemas.ChannelOut, str | None]:
        target = _target(body, body.kind)
        assert target is not None  # the schema requires it
        secret = None
        if body.kind == "webhook":
            secret = "whsec_" + secrets.token_urlsafe(32)
            target["secret"] = secret
        row = NotificationChannel(
            org_id=org_id, name=body.name, kind=body.kind,
            target_encrypted=self._cipher.encrypt(target), target_hint=_hint(target),
            routing=body.routing.to_json(),
        )  # fmt: skip
        self._session.add(row)
        await self._session.flush()
        await self._session.refresh(row)
        return channel_out(row), secret

    async def update(
        self, org_id: UUID, channel_id: UUID, body: schemas.UpdateChannel
    ) -> schemas.ChannelOut:
        row = await self._found(org_id, channel_id)
        target = _target(body, row.kind)
        if target is not None:
            # A new URL keeps the webhook's secret: receivers need not change their key.
            stored = self._cipher.decrypt(row.target_encrypted)
            row.target_encrypted = self._cipher.encrypt({**stored, **target})
            row.target_hint = _hint(target)
        if body.name is not None:
            row.name = body.name
        if body.routing is not None:
            row.routing = body.routing.to_json()
        if body.enabled is not None:
            row.enabled = body.enabled
            if body.enabled:
                row.disabled_reason, row.consecutive_failures = None, 0
        await self._session.flush()
        await self._session.refresh(row)
        return channel_out(row)

    async def delete(self, org_id: UUID, channel_id: UUID) -> bool:
        row = await self._row(org_id, channel_id)
        if row is None:
            return False
        await self._session.delete(row)
        return True

    async def queue_test(self, org_id: UUID, channel_id: UUID) -> UUID:
        """The notifier sends it like any notification (signed, retried, recorded)."""
        row = await self._found(org_id, channel_id)
        notification = Notification(
            org_id=row.org_id, channel_id=row.id, kind="test", payload={}, state="pending"
        )
        self._session.add(notification)
        await self._session.flush()
        return notification.id

    async def attempts(
        self, channel_id: UUID, before: int | None, limit: int
    ) -> list[schemas.AttemptOut]:
        query = (
            select(NotificationAttempt, Notification.kind)
            .join(Notification, Notification.id == NotificationAttempt.notification_id)
            .where(NotificationAttempt.channel_id == channel_id)
            .order_by(NotificationAttempt.id.desc())
            .limit(limit)
        )
        if before is not None:
            query = query.where(NotificationAttempt.id < before)
        rows = await self._session.execute(query)
        return [
            schemas.AttemptOut(
                id=a.id,
                notification_id=a.notification_id,
                notification_kind=kind,
                attempt=a.attempt,
                status=a.status,
                reason=a.reason,
                response_code=a.response_code,
                latency_ms=a.latency_ms,
                error=a.error,
                at=a.at,
            )
            for a, kind in rows
        ]


class SqlSilences:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def active(self, org_id: UUID, now: datetime) -> list[schemas.SilenceOut]:
        rows = await self._session.scalars(
            select(NotificationSilence)
            .where(NotificationSilence.org_id == org_id, NotificationSilence.expires_at > now)
            .order_by(NotificationSilence.expires_at)
        )
        return [schemas.SilenceOut.model_validate(row, from_attributes=True) for row in rows]

    async def create(self, org_id: UUID, body: schemas.CreateSilence) -> schemas.SilenceOut:
        row = NotificationSilence(
            org_id=org_id, subject_id=body.subject_id,
            alert_type=None if body.alert_type is None else str(body.alert_type),
            expires_at=body.expires_at, comment=body.comment,
        )  # fmt: skip
        self._session.add(row)
        await self._session.flush()
        await self._session.refresh(row)
        return schemas.SilenceOut.model_validate(row, from_attributes=True)

    async def delete(self, org_id: UUID, silence_id: UUID) -> bool:
        result = await self._session.execute(
            delete(NotificationSilence)
            .where(NotificationSilence.id == silence_id, NotificationSilence.org_id == org_id)
            .returning(NotificationSilence.id)
        )
        return result.scalar() is not None
