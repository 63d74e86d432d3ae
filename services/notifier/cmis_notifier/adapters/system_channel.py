"""The operators' channel: system alerts (dead letters) belong to no organization, so they go
to the channel configured by ``CMIS_SYSTEM_WEBHOOK_URL`` (and ``_SECRET``), kept in step with
the settings at every start."""

from __future__ import annotations

from urllib.parse import urlsplit

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cmis_notifier.domain.records import ChannelKind
from cmis_notifier.settings import NotifierSettings
from cmis_shared.crypto import TokenCipher
from cmis_shared.db.models import NotificationChannel

SYSTEM_CHANNEL_NAME = "operators"
log = structlog.get_logger(__name__)


async def ensure_system_channel(
    sessions: async_sessionmaker[AsyncSession], settings: NotifierSettings, cipher: TokenCipher
) -> None:
    url, secret = settings.system_webhook_url, settings.system_webhook_secret
    if url is None or secret is None:
        return
    target = {"url": url.get_secret_value(), "secret": secret.get_secret_value()}
    async with sessions() as session, session.begin():
        row = await session.scalar(
            select(NotificationChannel)
            .where(
                NotificationChannel.org_id.is_(None),
                NotificationChannel.name == SYSTEM_CHANNEL_NAME,
            )
            .with_for_update()
        )
        if row is None:
            row = NotificationChannel(
                org_id=None, name=SYSTEM_CHANNEL_NAME, kind=ChannelKind.WEBHOOK
            )
            session.add(row)
        row.target_encrypted = cipher.encrypt(target)
        row.target_hint = urlsplit(target["url"]).netloc
        row.routing, row.enabled, row.disabled_reason = {}, True, None
    log.info("operators' channel configured", host=urlsplit(target["url"]).netloc)
