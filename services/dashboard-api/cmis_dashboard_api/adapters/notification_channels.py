"""The rows dashboard-api writes for the notifier: channels (targets encrypted, the webhook
secret generated here and returned once), a channel test (a ``test`` notification the
notifier's delivery loop picks up), silences; and the attempts the notifier recorded."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from cmis_dashboard_api.schemas.notifications import (
    AttemptOut,
    ChannelOut,
    CreateChannel,
    CreateSilence,
    SilenceOut,
    UpdateChannel,
)
from cmis_shared.crypto import TokenCipher
from cmis_shared.db.models import (
    Notification,
    NotificationAttempt,
    NotificationChannel,
    NotificationSilence,
)
from cmis_shared.events import NotificationChannelRestored
from cmis_shared.outbox import add_events

SYSTEM_ORG_ID = UUID(int=0)


def channel_out(row: NotificationChannel) -> ChannelOut:
    return ChannelOut.model_validate(row, from_attributes=True)


def _target(body: CreateChannel | UpdateChannel, kind: str) -> dict[str, Any] | None:
    if kind == "email":
        return None if body.to is None else {"to": body.to}
    return None if body.url is None else {"url": str(body.url)}


def _hint(target: dict[str, Any]) -> str:
    if "to" in target:
        return str(target["to"])
    parts = urlsplit(target["url"])  # the path may carry a token (Slack's does)
    return f"{parts.scheme}://{parts.netloc}"[:320]


async def list_channels(session: AsyncSession, org_id: UUID) -> list[ChannelOut]:
    rows = await session.scalars(
        select(NotificationChannel)
        .where(NotificationChannel.org_id == org_id)
        .order_by(NotificationChannel.created_at)
    )
    return [channel_out(row) for row in rows]


async def find_channel(
    session: AsyncSession, org_id: UUID, channel_id: UUID
) -> NotificationChannel | None:
    return await session.scalar(
        select(NotificationChannel)
        .where(NotificationChannel.id == channel_id, NotificationChannel.org_id == org_id)
        .with_for_update()
    )


async def create_channel(
    session: AsyncSession, cipher: TokenCipher, org_id: UUID, body: CreateChannel
) -> tuple[ChannelOut, str | None]:
    target = _target(body, body.kind)
    assert target is not None  # the schema requires it
    secret = None
    if body.kind == "webhook":
        secret = "whsec_" + secrets.token_urlsafe(32)
        target["secret"] = secret
    row = NotificationChannel(
        org_id=org_id, name=body.name, kind=body.kind, target_encrypted=cipher.encrypt(target),
        target_hint=_hint(target), routing=body.routing.to_json(),
    )  # fmt: skip
    session.add(row)
    await session.flush()
    await session.refresh(row)
    return channel_out(row), secret


async def update_channel(
    session: AsyncSession, cipher: TokenCipher, row: NotificationChannel, body: UpdateChannel
) -> ChannelOut:
    target = _target(body, row.kind)
    if target is not None:
        # A new URL keeps the webhook's secret: receivers need not change their key.
        stored = cipher.decrypt(row.target_encrypted)
        row.target_encrypted = cipher.encrypt({**stored, **target})
        row.target_hint = _hint(target)
    if body.name is not None:
        row.name = body.name
    if body.routing is not None:
        row.routing = body.routing.to_json()
    if body.enabled is not None:
        if body.enabled and not row.enabled:
            await add_events(session, [restored(row, "enabled again")])
        row.enabled = body.enabled
        if body.enabled:
            row.disabled_reason, row.consecutive_failures = None, 0
    await session.flush()
    await session.refresh(row)
    return channel_out(row)


async def queue_test(session: AsyncSession, row: NotificationChannel) -> UUID:
    """The notifier sends it like any notification (signed, retried, recorded)."""
    notification = Notification(
        org_id=row.org_id, channel_id=row.id, kind="test", payload={}, state="pending"
    )
    session.add(notification)
    await session.flush()
    return notification.id


async def attempts(
    session: AsyncSession, channel_id: UUID, before: int | None, limit: int
) -> list[AttemptOut]:
    query = (
        select(NotificationAttempt, Notification.kind)
        .join(Notification, Notification.id == NotificationAttempt.notification_id)
        .where(NotificationAttempt.channel_id == channel_id)
        .order_by(NotificationAttempt.id.desc())
        .limit(limit)
    )
    if before is not None:
        query = query.where(NotificationAttempt.id < before)
    rows = await session.execute(query)
    return [
        AttemptOut(
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


async def list_silences(session: AsyncSession, org_id: UUID, now: datetime) -> list[SilenceOut]:
    rows = await session.scalars(
        select(NotificationSilence)
        .where(NotificationSilence.org_id == org_id, NotificationSilence.expires_at > now)
        .order_by(NotificationSilence.expires_at)
    )
    return [SilenceOut.model_validate(row, from_attributes=True) for row in rows]


async def create_silence(session: AsyncSession, org_id: UUID, body: CreateSilence) -> SilenceOut:
    row = NotificationSilence(
        org_id=org_id, subject_id=body.subject_id,
        alert_type=None if body.alert_type is None else str(body.alert_type),
        expires_at=body.expires_at, comment=body.comment,
    )  # fmt: skip
    session.add(row)
    await session.flush()
    await session.refresh(row)
    return SilenceOut.model_validate(row, from_attributes=True)


async def delete_silence(session: AsyncSession, org_id: UUID, silence_id: UUID) -> bool:
    result = await session.execute(
        delete(NotificationSilence)
        .where(NotificationSilence.id == silence_id, NotificationSilence.org_id == org_id)
        .returning(NotificationSilence.id)
    )
    return result.scalar() is not None


async def delete_channel(session: AsyncSession, org_id: UUID, channel_id: UUID) -> bool:
    row = await find_channel(session, org_id, channel_id)
    if row is None:
        return False
    if not row.enabled:
        await add_events(session, [restored(row, "channel removed")])
    await session.delete(row)
    return True


def restored(row: NotificationChannel, reason: str) -> NotificationChannelRestored:
    """Resolves the alert alerting raised when the notifier disabled the channel."""
    return NotificationChannelRestored(
        org_id=row.org_id or SYSTEM_ORG_ID, channel_id=row.id, channel_name=row.name,
        channel_kind=row.kind, reason=reason,
    )  # fmt: skip
