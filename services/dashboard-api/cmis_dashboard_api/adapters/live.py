"""Live updates across API processes: events are published on a Redis channel per org; each
process holds one pattern subscription and fans messages out to its local SSE streams."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import redis.asyncio as redis
import structlog

from cmis_dashboard_api.jsonbytes import dumps
from cmis_shared.settings import CmisSettings

STREAM_BUFFER = 100
log = structlog.get_logger(__name__)


class LiveHub:
    def __init__(self, client: redis.Redis, settings: CmisSettings) -> None:
        self._redis = client
        self._prefix = settings.redis_key("live", "")
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
        """Receive every org's messages and hand them to this process's listeners."""
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        await pubsub.psubscribe(f"{self._prefix}*")
        self.ready.set()
        try:
            async for message in pubsub.listen():
                if message["type"] == "pmessage":
                    self._dispatch(message["channel"], message["data"])
        finally:
            await pubsub.aclose()

    def _dispatch(self, channel: bytes, data: bytes) -> None:
        org_hex = channel.decode()[len(self._prefix) :]
        for queue in tuple(self._streams.get(org_hex, ())):
            try:
                queue.put_nowait(data)
            except asyncio.QueueFull:  # a stalled client misses updates, others do not wait
                log.warning("live update dropped for a slow stream", org_id=org_hex)
