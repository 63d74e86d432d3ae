"""The one way a service opens Redis: with the timeouts from settings, so a hung or
unreachable Redis raises quickly instead of stalling a handler or a held transaction."""

from __future__ import annotations

import redis.asyncio as redis_asyncio

from cmis_shared.settings import CmisSettings


def create_redis(
    settings: CmisSettings, *, max_connections: int | None = None
) -> redis_asyncio.Redis:
    return redis_asyncio.Redis.from_url(
        settings.redis_url,
        socket_timeout=settings.redis_timeout_seconds,
        socket_connect_timeout=settings.redis_timeout_seconds,
        health_check_interval=30,
        retry_on_timeout=False,
        max_connections=max_connections,
    )
