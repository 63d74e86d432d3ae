"""The worker's unit of work: one transaction on one pooled asyncpg connection, holding the
inbox claim, the worker's repositories and the outbox.

The inbox claim and the outbox insert are the statements and rows of
:mod:`cmis_shared.inbox_outbox`, which the shared SQLAlchemy unit of work runs too, executed
here with asyncpg itself: a fraction of the CPU per statement, which matters at hundreds of
syncs a second.

``BEGIN``, ``COMMIT`` and ``ROLLBACK`` run without the asyncpg instrumentation's span: they
carry nothing a trace needs (the statements between them have theirs), and four spans per
sync were a tenth of the worker's span cost.
"""

from __future__ import annotations

import uuid
from types import TracebackType
from typing import Self

import asyncpg
from opentelemetry.instrumentation.utils import suppress_instrumentation

from cmis_shared.events import Event
from cmis_shared.inbox_outbox import ADD_EVENT, CLAIM_EVENT, outbox_rows
from cmis_sync_worker.adapters.facts import FactsReader
from cmis_sync_worker.adapters.integrations import IntegrationRepository
from cmis_sync_worker.adapters.platform_data import PlatformDataStore
from cmis_sync_worker.adapters.runs import RunRepository


class PostgresSyncUnitOfWork:
    """Left without :meth:`commit`, everything in it is rolled back."""

    runs: RunRepository
    integrations: IntegrationRepository
    data: PlatformDataStore
    facts: FactsReader

    def __init__(self, pool: asyncpg.Pool, worker_id: str, write_batch_size: int = 10_000) -> None:
        self._pool = pool
        self._worker_id = worker_id
        self._write_batch_size = write_batch_size
        self._connection: asyncpg.Connection

    async def __aenter__(self) -> Self:
        connection = await self._pool.acquire()
        try:
            with suppress_instrumentation():
                await connection.execute("BEGIN")
        except BaseException:
            await self._pool.release(connection)
            raise
        self._connection = connection
        self.runs = RunRepository(connection, self._worker_id)
        self.integrations = IntegrationRepository(connection)
        self.data = PlatformDataStore(connection, self._write_batch_size)
        self.facts = FactsReader(connection)
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if not self._connection.is_closed() and self._connection.is_in_transaction():
                with suppress_instrumentation():
                    await self._connection.execute("ROLLBACK")
        finally:
            await self._pool.release(self._connection)

    async def commit(self) -> None:
        with suppress_instrumentation():
            await self._connection.execute("COMMIT")

    async def claim_event(self, consumer: str, event_id: uuid.UUID) -> bool:
        return await self._connection.fetchval(CLAIM_EVENT, consumer, event_id) is not None

    async def publish(self, *events: Event) -> None:
        rows = outbox_rows(events)
        if len(rows) == 1:
            await self._connection.execute(ADD_EVENT, *rows[0])
        elif rows:
            await self._connection.executemany(ADD_EVENT, rows)
