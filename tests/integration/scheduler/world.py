"""What the scheduler's integration tests arrange and observe: organizations and
integrations (written by other services in production), entries due at chosen times, and
the events that came out on the broker."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import aio_pika
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cmis_shared.events import Event, IntegrationUpdated, SyncRequested, parse_event
from cmis_shared.failures import is_infrastructure_error
from cmis_shared.topology import Topology

METRICS_ONLY = {"schedules": {"campaigns_seconds": 0, "all_seconds": 0}}


@dataclass
class World:
    sessions: async_sessionmaker[AsyncSession]
    org_ids: list[uuid.UUID] = field(default_factory=list)

    async def org(self, settings: dict[str, Any] | None = None, timezone: str = "UTC") -> uuid.UUID:
        org_id = uuid.uuid4()
        await self.sql(
            "INSERT INTO organizations (id, name, timezone, settings) "
            "VALUES (:id, 'Acme', :tz, CAST(:settings AS jsonb))",
            id=org_id, tz=timezone, settings=_json(settings or {}),
        )  # fmt: skip
        self.org_ids.append(org_id)
        return org_id

    async def integrations(
        self,
        org_id: uuid.UUID,
        count: int,
        platforms: tuple[str, ...] = ("google",),
        **columns: Any,
    ) -> list[uuid.UUID]:
        ids = [uuid.uuid4() for _ in range(count)]
        await self.sql(
            "INSERT INTO integrations (id, org_id, platform, account_id, account_name, timezone, "
            "status, credentials_encrypted, token_expires_at, refreshable, "
            "consecutive_failures, account_extra) "
            "SELECT i, :org, p, 'acc-' || i, 'Account', 'UTC', :status, '\\x00'::bytea, "
            ":expires, :refreshable, 0, '{}'::jsonb "
            "FROM unnest(CAST(:ids AS uuid[]), CAST(:platforms AS text[])) AS t(i, p)",
            org=org_id, ids=ids, platforms=[platforms[n % len(platforms)] for n in range(count)],
            status=columns.get("status", "active"), expires=columns.get("token_expires_at"),
            refreshable=columns.get("refreshable", False),
        )  # fmt: skip
        return ids

    async def sql(self, statement: str, **params: Any) -> None:
        async with self.sessions() as session, session.begin():
            await session.execute(text(statement), params)

    async def rows(self, statement: str, **params: Any) -> list[Any]:
        async with self.sessions() as session:
            return list((await session.execute(text(statement), params)).all())

    async def entries(self, integration_ids: list[uuid.UUID]) -> list[Any]:
        return await self.rows(
            "SELECT integration_id, data_type, next_due_at, enabled, period_seconds "
            "FROM schedule_entries WHERE integration_id = ANY(:ids) "
            "ORDER BY integration_id, data_type",
            ids=integration_ids,
        )

    async def make_due(self, integration_ids: list[uuid.UUID], at: datetime) -> None:
        await self.sql(
            "UPDATE schedule_entries SET next_due_at = :at WHERE integration_id = ANY(:ids)",
            at=at, ids=integration_ids,
        )  # fmt: skip

    async def cleanup(self) -> None:
        """Cascades to integrations, entries, retries and runs, so later tests' schedulers
        (which share the database) do not dispatch this test's entries."""
        if not self.org_ids:
            return
        # The test's scheduler still runs (its fixture stops after this one) and may lock the
        # same rows the other way round: PostgreSQL then aborts one side as a deadlock, which
        # is transient, and the cleanup tries again as the services themselves would.
        for attempt in range(5):
            try:
                await self.sql("DELETE FROM sync_runs WHERE org_id = ANY(:ids)", ids=self.org_ids)
                await self.sql("DELETE FROM organizations WHERE id = ANY(:ids)", ids=self.org_ids)
                return
            except DBAPIError as error:
                if attempt == 4 or not is_infrastructure_error(error):
                    raise
                await asyncio.sleep(0.2)


def _json(value: dict[str, Any]) -> str:
    return json.dumps(value)


class QueueReader:
    """Takes events off one of the topology's queues (acking them) and keeps them."""

    def __init__(self, rabbit_url: str, topology: Topology, service: str) -> None:
        self._rabbit_url = rabbit_url
        self._queue_names = [queue.name for queue in topology.queues(service)]  # every lane
        self.events: list[Event] = []
        self._connection: aio_pika.abc.AbstractRobustConnection | None = None
        # A test's fake worker and its checks read at once: basic.get calls interleaved on
        # one channel can leave one waiting forever, so reads take turns.
        self._reading = asyncio.Lock()

    async def __aenter__(self) -> QueueReader:
        self._connection = await aio_pika.connect_robust(self._rabbit_url)
        self._channel = await self._connection.channel()
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._connection is not None:
            await self._connection.close()

    async def read(self) -> list[Event]:
        """Everything waiting now (appended to ``events``); the queue must exist by then."""
        async with self._reading:
            for name in self._queue_names:
                queue = await self._channel.get_queue(name)
                while (message := await queue.get(fail=False)) is not None:
                    await message.ack()
                    self.events.append(parse_event(message.body))
        return self.events

    def requests(self, integration_ids: set[uuid.UUID] | None = None) -> list[SyncRequested]:
        return [
            e for e in self.events if isinstance(e, SyncRequested)
            and (integration_ids is None or e.integration_id in integration_ids)
        ]  # fmt: skip

    def updates(self, integration_ids: set[uuid.UUID]) -> list[IntegrationUpdated]:
        return [
            e for e in self.events
            if isinstance(e, IntegrationUpdated) and e.integration_id in integration_ids
        ]  # fmt: skip


async def settle(seconds: float) -> None:
    """Let asynchronous work that should NOT happen have its chance to happen."""
    await asyncio.sleep(seconds)
