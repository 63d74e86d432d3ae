"""Notification channels and silences, one transaction per use case. The notifier reads these
rows; nothing here talks to a receiver (a channel test is queued for the notifier to send)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cmis_dashboard_api.adapters import notification_channels as store
from cmis_dashboard_api.schemas.notifications import (
    AttemptPage,
    ChannelCreated,
    ChannelOut,
    CreateChannel,
    CreateSilence,
    SilenceOut,
    UpdateChannel,
)
from cmis_shared.crypto import TokenCipher

Sessions = async_sessionmaker[AsyncSession]


class ChannelDisabled(Exception):
    """A test cannot go out through a disabled channel (the notifier skips it)."""


async def list_channels(sessions: Sessions, org_id: UUID) -> list[ChannelOut]:
    async with sessions() as session:
        return await store.list_channels(session, org_id)


async def create_channel(
    sessions: Sessions, cipher: TokenCipher, org_id: UUID, body: CreateChannel
) -> ChannelCreated:
    async with sessions() as session, session.begin():
        channel, secret = await store.create_channel(session, cipher, org_id, body)
    return ChannelCreated(**channel.model_dump(), signing_secret=secret)


async def update_channel(
    sessions: Sessions, cipher: TokenCipher, org_id: UUID, channel_id: UUID, body: UpdateChannel
) -> ChannelOut | None:
    async with sessions() as session, session.begin():
        row = await store.find_channel(session, org_id, channel_id)
        if row is None:
            return None
        if (body.url is not None and row.kind == "email") or (
            body.to is not None and row.kind != "email"
        ):
            raise ValueError(
                f"a {row.kind} channel takes {'`to`' if row.kind == 'email' else '`url`'}"
            )
        return await store.update_channel(session, cipher, row, body)


async def delete_channel(sessions: Sessions, org_id: UUID, channel_id: UUID) -> bool:
    async with sessions() as session, session.begin():
        return await store.delete_channel(session, org_id, channel_id)


async def test_channel(sessions: Sessions, org_id: UUID, channel_id: UUID) -> UUID | None:
    async with sessions() as session, session.begin():
        row = await store.find_channel(session, org_id, channel_id)
        if row is None:
            return None
        if not row.enabled:
            raise ChannelDisabled(row.disabled_reason or "disabled")
        return await store.queue_test(session, row)


async def deliveries(
    sessions: Sessions, org_id: UUID, channel_id: UUID, cursor: int | None, limit: int
) -> AttemptPage | None:
    async with sessions() as session:
        if await store.find_channel(session, org_id, channel_id) is None:
            return None
        rows = await store.attempts(session, channel_id, cursor, limit)
    next_cursor = str(rows[-1].id) if len(rows) == limit else None
    return AttemptPage(attempts=rows, next_cursor=next_cursor)


async def list_silences(sessions: Sessions, org_id: UUID, now: datetime) -> list[SilenceOut]:
    async with sessions() as session:
        return await store.list_silences(session, org_id, now)


async def create_silence(sessions: Sessions, org_id: UUID, body: CreateSilence) -> SilenceOut:
    async with sessions() as session, session.begin():
        return await store.create_silence(session, org_id, body)


async def delete_silence(sessions: Sessions, org_id: UUID, silence_id: UUID) -> bool:
    async with sessions() as session, session.begin():
        return await store.delete_silence(session, org_id, silence_id)
