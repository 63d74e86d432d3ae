"""Notification channels and silences, one unit of work per use case. The notifier reads these
rows; nothing here talks to a receiver (a channel test is queued for the notifier to send).
Enabling a channel the notifier disabled, or removing it, announces
``notification_channel.restored`` so alerting resolves the alert it raised about it."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from cmis_dashboard_api.ports import UnitOfWork
from cmis_dashboard_api.schemas.notifications import (
    AttemptPage,
    ChannelCreated,
    ChannelOut,
    CreateChannel,
    CreateSilence,
    SilenceOut,
    UpdateChannel,
)
from cmis_shared.events import NotificationChannelRestored


class ChannelDisabled(Exception):
    """A test cannot go out through a disabled channel (the notifier skips it)."""


class ChannelKindConflict(ValueError):
    """A target of the other kind than the stored channel's (an e-mail channel takes ``to``,
    the others ``url``)."""


async def list_channels(uow: UnitOfWork, org_id: UUID) -> list[ChannelOut]:
    async with uow:
        return await uow.channels.all(org_id)


async def create_channel(uow: UnitOfWork, org_id: UUID, body: CreateChannel) -> ChannelCreated:
    async with uow:
        channel, secret = await uow.channels.create(org_id, body)
        await uow.commit()
    return ChannelCreated(**channel.model_dump(), signing_secret=secret)


async def update_channel(
    uow: UnitOfWork, org_id: UUID, channel_id: UUID, body: UpdateChannel
) -> ChannelOut | None:
    async with uow:
        channel = await uow.channels.find(org_id, channel_id)
        if channel is None:
            return None
        if (body.url is not None and channel.kind == "email") or (
            body.to is not None and channel.kind != "email"
        ):
            raise ChannelKindConflict(
                f"a {channel.kind} channel takes {'`to`' if channel.kind == 'email' else '`url`'}"
            )
        if body.enabled and not channel.enabled:
            await uow.publish(_restored(org_id, channel, "enabled again"))
        updated = await uow.channels.update(org_id, channel_id, body)
        await uow.commit()
    return updated


async def delete_channel(uow: UnitOfWork, org_id: UUID, channel_id: UUID) -> bool:
    async with uow:
        channel = await uow.channels.find(org_id, channel_id)
        if channel is None:
            return False
        if not channel.enabled:
            await uow.publish(_restored(org_id, channel, "channel removed"))
        await uow.channels.delete(org_id, channel_id)
        await uow.commit()
    return True


async def test_channel(uow: UnitOfWork, org_id: UUID, channel_id: UUID) -> UUID | None:
    async with uow:
        channel = await uow.channels.find(org_id, channel_id)
        if channel is None:
            return None
        if not channel.enabled:
            raise ChannelDisabled(channel.disabled_reason or "disabled")
        queued = await uow.channels.queue_test(org_id, channel_id)
        await uow.commit()
    return queued


async def deliveries(
    uow: UnitOfWork, org_id: UUID, channel_id: UUID, cursor: int | None, limit: int
) -> AttemptPage | None:
    async with uow:
        if await uow.channels.find(org_id, channel_id) is None:
            return None
        rows = await uow.channels.attempts(channel_id, cursor, limit)
    next_cursor = str(rows[-1].id) if len(rows) == limit else None
    return AttemptPage(attempts=rows, next_cursor=next_cursor)


async def list_silences(uow: UnitOfWork, org_id: UUID, now: datetime) -> list[SilenceOut]:
    async with uow:
        return await uow.silences.active(org_id, now)


async def create_silence(uow: UnitOfWork, org_id: UUID, body: CreateSilence) -> SilenceOut:
    async with uow:
        silence = await uow.silences.create(org_id, body)
        await uow.commit()
    return silence


async def delete_silence(uow: UnitOfWork, org_id: UUID, silence_id: UUID) -> bool:
    async with uow:
        found = await uow.silences.delete(org_id, silence_id)
        await uow.commit()
    return found


def _restored(org_id: UUID, channel: ChannelOut, reason: str) -> NotificationChannelRestored:
    """Resolves the alert alerting raised when the notifier disabled the channel."""
    return NotificationChannelRestored(
        org_id=org_id, channel_id=channel.id, channel_name=channel.name,
        channel_kind=channel.kind, reason=reason,
    )  # fmt: skip
