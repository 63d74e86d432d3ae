"""The worker's unit of work: the shared one (transaction, outbox, inbox) plus the worker's
repositories, all on the same connection and transaction.

The inbox claim and the outbox insert are the shared unit of work's statements, run here on
the asyncpg connection itself (prepared once per connection) rather than through the
SQLAlchemy session: the same rows in the same transaction, at a fraction of the CPU per
statement, which matters at hundreds of syncs a second.
"""

from __future__ import annotations

import uuid
from typing import Self

import asyncpg
import orjson
from opentelemetry import propagate
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cmis_shared.events import Event
from cmis_shared.topology import message_priority
from cmis_shared.uow import UnitOfWork
from cmis_sync_worker.adapters.facts import FactsReader
from cmis_sync_worker.adapters.integrations import IntegrationRepository
from cmis_sync_worker.adapters.pg import driver_connection
from cmis_sync_worker.adapters.platform_data import PlatformDataStore
from cmis_sync_worker.adapters.runs import RunRepository

_CLAIM_EVENT = """
INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2)
ON CONFLICT DO NOTHING RETURNING 1
"""

# As cmis_shared.outbox.add_events: created_at, lease_token and lease_until take their defaults.
_ADD_EVENT = """
INSERT INTO outbox (id, routing_key, payload, headers, correlation_id, priority)
VALUES ($1, $2, $3, $4::jsonb, $5, $6)
"""


class PostgresSyncUnitOfWork(UnitOfWork):
    runs: RunRepository
    integrations: IntegrationRepository
    data: PlatformDataStore
    facts: FactsReader

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        worker_id: str,
        write_batch_size: int = 10_000,
    ) -> None:
        super().__init__(session_factory)
        self._worker_id = worker_id
        self._write_batch_size = write_batch_size
        self._connection: asyncpg.Connection

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        connection = self._connection = await driver_connection(self.session)
        self.runs = RunRepository(connection, self._worker_id)
        self.integrations = IntegrationRepository(connection)
        self.data = PlatformDataStore(connection, self._write_batch_size)
        self.facts = FactsReader(connection)
        return self

    async def claim_event(self, consumer: str, event_id: uuid.UUID) -> bool:
        return await self._connection.fetchval(_CLAIM_EVENT, consumer, event_id) is not None

    async def publish(self, *events: Event) -> None:
        if not events:
            return
        carrier: dict[str, str] = {}
        propagate.inject(carrier)  # the publishing span becomes a child of the current one
        headers = orjson.dumps(carrier).decode()
        rows = [
            (
                event.event_id,
                event.routing_key,
                event.to_json(),
                headers,
                str(event.correlation_id),
                message_priority(event),
            )
            for event in events
        ]
        if len(rows) == 1:
            await self._connection.execute(_ADD_EVENT, *rows[0])
        else:
            await self._connection.executemany(_ADD_EVENT, rows)
