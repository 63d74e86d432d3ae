"""Live updates across API processes. Each event is appended to a Redis Stream per org (the
resume buffer: about ``buffer_length`` entries, gone after ``buffer_seconds`` of quiet) and,
in the same atomic script, published on the org's channel prefixed with its stream id; each
process holds one pattern subscription and fans messages out to its local SSE streams. The
stream id is the SSE event id: a client that reconnects with ``Last-Event-ID`` is replayed
what it missed from the stream (:meth:`LiveHub.since`), and the channel's copies it already
got are skipped by id. Appending and publishing in one script keeps the channel's order the
stream's order across every publisher.

The subscription has its own Redis client, named so an operator (or a test) can find it in
``CLIENT LIST``. It polls ``get_message(timeout=...)`` instead of blocking in ``listen()``:
the client has a socket timeout (a hung Redis must not stall us), and a blocking read on a
quiet channel would trip it. Any Redis error ends only the current subscription: ``run``
subscribes again after a capped backoff, so live updates resume once Redis is back."""

from __future__ import annotations

import asyncio
import contextlib
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any, cast
from uuid import UUID

import redis.asyncio as redis
import structlog
from redis.exceptions import RedisError

from cmis_dashboard_api.schemas.jsonbytes import dumps
from cmis_shared.settings import CmisSettings

STREAM_BUFFER = 100
# Put in every local queue after the subscription was lost: read the stream to catch up.
CATCH_UP = ("", b"")
START = "0-0"  # the position of an org with no buffered event
POLL_SECONDS = 1.0
RECONNECT_FIRST_SECONDS = 0.1
RECONNECT_MAX_SECONDS = 5.0
log = structlog.get_logger(__name__)
_EVENT_ID = re.compile(r"[0-9]{1,20}-[0-9]{1,20}")
# KEYS: the org's stream, its channel. ARGV: approximate max length, expiry ms, message.
_APPEND_AND_PUBLISH = """
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'data', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PUBLISH', KEYS[2], id .. ' ' .. ARGV[3])
return id
"""

LiveMessage = tuple[str, bytes]  # (event id, JSON data)
_Entries = list[tuple[bytes, dict[bytes, bytes]]]  # a Redis Stream range, as redis-py reads it


def event_order(event_id: str) -> tuple[int, int]:
    milliseconds, sequence = event_id.split("-")
    return int(milliseconds), int(sequence)


class LiveHub:
    def __init__(
        self,
        client: redis.Redis,
        settings: CmisSettings,
        *,
        buffer_length: int = 1000,
        buffer_seconds: int = 3600,
    ) -> None:
        self._redis = client
        self._prefix = settings.redis_key("live", "")
        self._buffer_prefix = settings.redis_key("live-buffer", "")
        self._buffer_length = buffer_length
        self._buffer_ms = buffer_seconds * 1000
        self._append = client.register_script(_APPEND_AND_PUBLISH)
        self.client_name = f"{settings.redis_key('live-hub')}:{uuid.uuid4().hex[:12]}"
        self._subscriber = redis.Redis.from_url(
            settings.redis_url,
            client_name=self.client_name,
            socket_timeout=max(settings.redis_timeout_seconds, POLL_SECONDS * 2),
            socket_connect_timeout=settings.redis_timeout_seconds,
        )
        self._streams: dict[str, set[asyncio.Queue[LiveMessage]]] = {}
        self.ready = asyncio.Event()

    def channel(self, org_id: UUID) -> str:
        return f"{self._prefix}{org_id.hex}"

    def buffer(self, org_id: UUID) -> str:
        return f"{self._buffer_prefix}{org_id.hex}"

    async def publish(self, org_id: UUID, kind: str, data: dict[str, Any]) -> str:
        """Append the message to the org's buffer and publish it; returns its event id."""
        event_id = await self._append(
            keys=[self.buffer(org_id), self.channel(org_id)],
            args=[self._buffer_length, self._buffer_ms, dumps({"type": kind, **data})],
        )
        return event_id.decode() if isinstance(event_id, bytes) else str(event_id)

    async def position(self, org_id: UUID) -> str:
        """The id of the org's newest buffered event (``0-0`` when none is)."""
        newest = cast(_Entries, await self._redis.xrevrange(self.buffer(org_id), count=1))
        return newest[0][0].decode() if newest else START

    async def since(self, org_id: UUID, last_id: str) -> list[LiveMessage] | None:
        """Every buffered event after ``last_id``, or ``None`` when events after it may have
        left the buffer (or the id is not one of this org's): the client must reload.

        ``last_id`` was sent by us, so it is in the buffer unless trimmed or expired; events
        leave oldest first, so while it is there, everything after it is too."""
        if not _EVENT_ID.fullmatch(last_id):
            return None
        key = self.buffer(org_id)
        if last_id == START:
            length = await self._redis.xlen(key)
            if length == 0:
                # Nothing since: no event yet, or none for ``buffer_seconds`` (the horizon
                # of a resume from an org that was quiet when the client came).
                return []
            info = await self._redis.xinfo_stream(key)
            if int(info["entries-added"]) != length:
                return None
        elif not await self._redis.xrange(key, last_id, last_id, count=1):
            return None
        entries = cast(_Entries, await self._redis.xrange(key, f"({last_id}", "+"))
        return [(entry_id.decode(), fields[b"data"]) for entry_id, fields in entries]

    @contextlib.asynccontextmanager
    async def listen(self, org_id: UUID) -> AsyncIterator[asyncio.Queue[LiveMessage]]:
        queue: asyncio.Queue[LiveMessage] = asyncio.Queue(STREAM_BUFFER)
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
            self.catch_up_everyone()  # what was published while unsubscribed
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

    def _dispatch(self, channel: bytes, payload: bytes) -> None:
        org_hex = channel.decode()[len(self._prefix) :]
        event_id, _, data = payload.partition(b" ")
        for queue in tuple(self._streams.get(org_hex, ())):
            self.offer(queue, (event_id.decode(), data), org_hex)

    def catch_up_everyone(self) -> None:
        """Tell every local stream to read what it missed from the buffer: the channel's
        copies published while this process was not subscribed are gone."""
        for org_hex, queues in tuple(self._streams.items()):
            for queue in tuple(queues):
                self.offer(queue, CATCH_UP, org_hex)

    @staticmethod
    def offer(queue: asyncio.Queue[LiveMessage], message: LiveMessage, org_hex: str) -> None:
        """Hand one message to a stream's queue. A full queue (a stalled client) is emptied
        and told to catch up instead: the buffer holds everything it dropped, in order, so
        the stream misses nothing, and other streams never wait for it."""
        try:
            queue.put_nowait(message)
        except asyncio.QueueFull:
            log.warning("live stream fell behind; it will catch up from the buffer", org_id=org_hex)
            while not queue.empty():
                queue.get_nowait()
            queue.put_nowait(CATCH_UP)
