"""Live updates across API processes: events are published on a Redis channel per org; each
process holds one pattern subscription and fans messages out to its local SSE streams.

The subscription has its own Redis client, named so an operator (or a test) can find it in
``CLIENT LIST``. It polls ``get_message(timeout=...)`` instead of blocking in ``listen()``:
the client has a socket timeout (a hung Redis must not stall us), and a blocking read on a
quiet channel would trip it. Any Redis error ends only the current subscription: ``run``
subscribes again after a capped backoff, so live updates resume once Redis is back."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import redis.asyncio as redis
import structlog
from redis.exceptions import RedisError

from cmis_dashboard_api.schemas.jsonbytes import dumps
from cmis_shared.settings import CmisSettings

STREAM_BUFFER = 100
POLL_SECONDS = 1.0
RECONNECT_FIRST_SECONDS = 0.1
RECONNECT_MAX_SECONDS = 5.0
log = structlog.get_logger(__name__)


class LiveHub:
    def __init__(self, client: redis.Redis, settings: CmisSettings) -> None:
        self._redis = client
        self._prefix = settings.redis_key("live", "")
        self.client_name = f"{settings.redis_key('live-hub')}:{uuid.uuid4().hex[:12]}"
        self._subscriber = redis.Redis.from_url(
            settings.redis_url,
            client_name=self.client_name,
            socket_timeout=max(settings.redis_timeout_seconds, POLL_SECONDS * 2),
            socket_connect_timeout=settings.redis_timeout_seconds,
        )
        self._streams: dict[str, set[asyncio.Queue[bytes]]] = {}
        self.ready = asyncio.Event()

    def channel(self, org_id: UUID) -> str:
        return f"{self._prefix}{org_id.hex}"

    async def publish(self, org_id: UUID, kind: str, data: dict[str, Any]) -> None:
        await self._redis.publish(self.channel(org_id), dumps({"type": kind, **data}))

    @contextlib.asynccontextmanager
    async def listen(self, org_id: UUID) -> AsyncIterator[asyncio.Queue[bytes]]:
        queue: asyncio.Queue[bytes] = asyncio.Queue(STREAM_BUFFER)
        streams = self._streams.setdefault(org_id.hex, set())
        streams.add(queue)
        try:
            yield queue
        finally:
            streams.discard(queue)
            if not streams:
                self._streams.pop(org_id.hex, None)

    async def run(self) -> None:
        """Receive every org's messages and hand them to this process's listeners, for as
        long as the process lives."""
        delay, failures = RECONNECT_FIRST_SECONDS, 0
        while True:
            try:
                await self._subscribe_and_dispatch()
            except (RedisError, OSError) as error:
                if self.ready.is_set():  # it was working: a new outage starts
                    self.ready.clear()
                    delay, failures = RECONNECT_FIRST_SECONDS, 0
                failures += 1
                if failures == 1:  # once per outage, not once per attempt
                    log.warning(
                        "live updates lost Redis; resubscribing", error=type(error).__name__
                    )
                await asyncio.sleep(delay)
                delay = min(delay * 2, RECONNECT_MAX_SECONDS)

    async def _subscribe_and_dispatch(self) -> None:
        pubsub = self._subscriber.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.psubscribe(f"{self._prefix}*")
            self.ready.set()
            while True:
                message = await pubsub.get_message(
                    ignore_subscribe_messages=True, timeout=POLL_SECONDS
                )
                if message is not None and message["type"] == "pmessage":
                    self._dispatch(message["channel"], message["data"])
        finally:
            with contextlib.suppress(RedisError, OSError):
                await pubsub.aclose()

    async def aclose(self) -> None:
        await self._subscriber.aclose()

    def _dispatch(self, channel: bytes, data: bytes) -> None:
        org_hex = channel.decode()[len(self._prefix) :]
        for queue in tuple(self._streams.get(org_hex, ())):
            try:
                queue.put_nowait(data)
            except asyncio.QueueFull:  # a stalled client misses updates, others do not wait
                log.warning("live update dropped for a slow stream", org_id=org_hex)
