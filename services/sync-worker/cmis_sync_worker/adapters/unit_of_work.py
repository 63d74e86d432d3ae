"""The worker's unit of work: the shared one (transaction, outbox, inbox) plus the worker's
repositories, all on the same connection and transaction."""

from __future__ import annotations

from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cmis_shared.uow import UnitOfWork
from cmis_sync_worker.adapters.facts import FactsReader
from cmis_sync_worker.adapters.integrations import IntegrationRepository
from cmis_sync_worker.adapters.pg import driver_connection
from cmis_sync_worker.adapters.platform_data import PlatformDataStore
from cmis_sync_worker.adapters.runs import RunRepository


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

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        connection = await driver_connection(self.session)
        self.runs = RunRepository(connection, self._worker_id)
        self.integrations = IntegrationRepository(connection)
        self.data = PlatformDataStore(connection, self._write_batch_size)
        self.facts = FactsReader(connection)
        return self
