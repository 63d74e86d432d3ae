"""Call a connector with a token refreshed when needed: before the call when it is about to
expire, and once more after a :class:`TokenExpired`.

The caller gets the credentials that worked back, and must store them when they differ
(a refresh may rotate the refresh token too). Platforms without a refresh flow raise
:class:`AuthRevoked` from ``refresh_token``: the user has to reconnect.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TypeVar

from .base import Credentials, PlatformConnector, TokenExpired

T = TypeVar("T")

# Refresh this long before the stated expiry, so a long sync does not expire mid-way.
EXPIRY_MARGIN = timedelta(minutes=5)


def needs_refresh(credentials: Credentials, now: datetime) -> bool:
    return credentials.expires_at is not None and credentials.expires_at - EXPIRY_MARGIN <= now


async def call_with_refresh(
    connector: PlatformConnector,
    credentials: Credentials,
    call: Callable[[Credentials], Awaitable[T]],
    now: datetime,
) -> tuple[T, Credentials]:
    if connector.supports_refresh and credentials.refresh_token and needs_refresh(credentials, now):
        credentials = await connector.refresh_token(credentials)
    try:
        return await call(credentials), credentials
    except TokenExpired:
        if not connector.supports_refresh or not credentials.refresh_token:
            raise
        credentials = await connector.refresh_token(credentials)
        return await call(credentials), credentials
