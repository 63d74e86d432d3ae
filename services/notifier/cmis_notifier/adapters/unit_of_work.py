"""The notifier's unit of work: the shared one (inbox claim, outbox, one transaction) with the
grouping buffer on its session."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cmis_notifier.adapters.buffer import BufferStore
from cmis_shared.uow import UnitOfWork


class SqlUnitOfWork(UnitOfWork):
    buffer: BufferStore

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        super().__init__(session_factory)

    async def __aenter__(self) -> SqlUnitOfWork:
        await super().__aenter__()
        self.buffer = BufferStore(self.session)
        return self
