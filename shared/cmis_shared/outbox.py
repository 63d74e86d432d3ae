"""Transactional outbox: events are written in the caller's database transaction and published
afterwards by :class:`OutboxRelay`, so a crash between the state change and the publish loses
nothing.

Mechanics (as in faststream-outbox): a relay claims a batch with ``FOR UPDATE SKIP LOCKED`` and a
lease token; publishes with confirms and the outbox row id as AMQP ``message_id`` (= the
event's ``event_id``, so consumers can dedupe); then deletes only the rows it still holds the
lease on. A relay that dies mid-batch leaves rows whose lease expires and another relay (or
the same one restarted) publishes them again: at-least-once, made exactly-once in effect by
the consumers' inbox. A trigger NOTIFYs on insert; polling is the fallback.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

import asyncpg
import sqlalchemy.exc
import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cmis_shared.events import Event
from cmis_shared.inbox_outbox import ADD_EVENT, named, named_params, outbox_rows
from cmis_shared.publisher import EventPublisher

NOTIFY_CHANNEL = "cmis_outbox"
log = structlog.get_logger(__name__)

# A lane survives these (database, broker or network away) and tries again at the next poll.
RELAY_ERRORS = (
    OSError,
    TimeoutError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    sqlalchemy.exc.DBAPIError,
    sqlalchemy.exc.TimeoutError,
)


class ListenConnectionLost(ConnectionError):
    """The LISTEN connection ended; the supervisor opens a new one."""


_ADD_EVENT = named(ADD_EVENT)


async def add_events(session: AsyncSession, events: Iterable[Event]) -> None:
    """Stage events in the session's transaction; they go out only if it commits."""
    rows = [named_params(row) for row in outbox_rows(events)]
    if rows:
        await session.execute(_ADD_EVENT, rows)


_CLAIM = text(
    """
    UPDATE outbox SET lease_token = :token,
                      lease_until = clock_timestamp() + make_interval(secs => :lease_seconds)
    WHERE id IN (
        SELECT id FROM outbox
        WHERE lease_until IS NULL OR lease_until < clock_timestamp()
        ORDER BY created_at
        LIMIT :limit
        FOR UPDATE SKIP LOCKED
    )
    RETURNING id, routing_key, payload, headers, correlation_id, priority, created_at
    """
)
_BACKLOG = text(
    "SELECT count(*) AS depth, "
    "EXTRACT(EPOCH FROM clock_timestamp() - min(created_at)) AS oldest_age FROM outbox"
)
_DELETE = text("DELETE FROM outbox WHERE id = ANY(:ids) AND lease_token = :token")
_RELEASE = text(
    "UPDATE outbox SET lease_until = clock_timestamp() + make_interval(secs => :delay) "
    "WHERE id = ANY(:ids) AND lease_token = :token"
)


class OutboxRelay:
    """Publishes staged events. ``lane`` and ``listen`` are the long-running loops (the
    runtime supervises each); ``run`` runs them all in one task."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        publisher: EventPublisher,
        *,
        listen_dsn: str | None = None,
        listen_connect_args: dict[str, Any] | None = None,
        batch_size: int = 200,
        poll_seconds: float = 1.0,
        lease_seconds: float = 30.0,
        retry_delay_seconds: float = 2.0,
        batch_deadline_seconds: float | None = None,
    ) -> None:
        self._sessions = session_factory
        self._publisher = publisher
        self._listen_dsn = listen_dsn
        self._listen_connect_args = listen_connect_args or {}
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        self._lease_seconds = lease_seconds
        self._retry_delay_seconds = retry_delay_seconds
        # Inside the lease: rows still unconfirmed at the deadline are released before
        # another lane may claim them, never published by two lanes at once.
        self._batch_deadline = (
            lease_seconds / 2 if batch_deadline_seconds is None else batch_deadline_seconds
        )
        self._wake = asyncio.Event()

    async def run(self, lanes: int = 2) -> None:
        """Publish until cancelled. Two lanes claim separate batches (SKIP LOCKED), so one
        lane's database round trips overlap the other's publishing."""
        await asyncio.gather(self.listen(), *(self.lane() for _ in range(lanes)))

    async def lane(self) -> None:
        while True:
            try:
                claimed = await self.relay_once()
            except RELAY_ERRORS as error:
                # The database or the broker is away: wait a poll interval and claim again.
                log.warning("outbox relay failed; retrying", error=repr(error)[:300])
                claimed = 0
            if claimed < self._batch_size:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._poll_seconds)
                self._wake.clear()

    async def listen(self) -> None:
        """Wake the lanes on each NOTIFY. Raises ``ListenConnectionLost`` when the connection
        ends, so the supervisor reconnects it; the lanes' polling covers the gap."""
        if self._listen_dsn is None:
            return
        connection = await asyncpg.connect(self._listen_dsn, **self._listen_connect_args)
        lost = asyncio.Event()
        try:
            connection.add_termination_listener(lambda _connection: lost.set())
            await connection.add_listener(NOTIFY_CHANNEL, lambda *_: self._wake.set())
            self._wake.set()  # events staged while not listening
            while not lost.is_set() and not connection.is_closed():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(lost.wait(), self._poll_seconds * 10)
            raise ListenConnectionLost("the outbox LISTEN connection was closed")
        finally:
            if not connection.is_closed():
                connection.terminate()

    async def backlog(self) -> tuple[int, float]:
        """Rows waiting in the outbox and the age in seconds of the oldest (0 when empty)."""
        async with self._sessions() as session:
            row = (await session.execute(_BACKLOG)).one()
        return int(row.depth), float(row.oldest_age or 0.0)

    async def relay_once(self) -> int:
        """Claim one batch, publish it, delete what went out. Returns the rows claimed."""
        token = uuid.uuid4()
        async with self._sessions() as session, session.begin():
            rows = (
                await session.execute(
                    _CLAIM,
                    {
                        "token": token,
                        "lease_seconds": self._lease_seconds,
                        "limit": self._batch_size,
                    },
                )
            ).all()
        if not rows:
            return 0
        sent, failed = await self._publish_batch(rows)
        async with self._sessions() as session, session.begin():
            if sent:
                await session.execute(_DELETE, {"ids": sent, "token": token})
            if failed:
                await session.execute(
                    _RELEASE, {"ids": failed, "token": token, "delay": self._retry_delay_seconds}
                )
        return len(rows)

    async def _publish_batch(self, rows: Sequence[Any]) -> tuple[list[Any], list[Any]]:
        """Publish every row at once; the ids confirmed and the ids not confirmed by the
        batch's deadline. One deadline for the batch, not one per publish: a per-publish
        timeout also counts the wait for the channel, so under load a whole batch timed out,
        was released and published again, and the relay fell behind for good. Here what was
        confirmed in time is done, and only the rest goes back."""
        publishes = [asyncio.ensure_future(self._publish(row)) for row in rows]
        _, late = await asyncio.wait(publishes, timeout=self._batch_deadline)
        for publish in late:
            # A broker that stopped answering may take long to unwind a cancelled publish:
            # the batch does not wait for it (its message, if it went out after all, is
            # published again and the consumers' inbox drops the copy).
            publish.cancel()
            publish.add_done_callback(_retrieve_outcome)
        if late:
            log.warning(
                "outbox publishes not confirmed by the batch deadline",
                late=len(late),
                deadline_seconds=self._batch_deadline,
            )
        sent, failed = [], []
        for row, publish in zip(rows, publishes, strict=True):
            if publish in late or publish.exception() is not None:
                failed.append(row.id)
                if publish not in late:
                    log.warning("outbox publish failed", error=repr(publish.exception()))
            else:
                sent.append(row.id)
        return sent, failed

    async def _publish(self, row: Any) -> None:
        # The trace context staged with the row makes the publish span a child of the span
        # that staged the event: one trace runs from the HTTP request or handler onwards.
        await self._publisher.publish(
            bytes(row.payload),
            routing_key=row.routing_key,
            message_id=str(row.id),
            correlation_id=row.correlation_id,
            priority=row.priority or None,
            timestamp=row.created_at,
            trace_headers=row.headers or {},
        )


def _retrieve_outcome(publish: asyncio.Future[None]) -> None:
    """A publish abandoned at the deadline: its row is already released; retrieving the late
    outcome keeps asyncio from logging it as never retrieved."""
    if not publish.cancelled():
        publish.exception()
