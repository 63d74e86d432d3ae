"""Unit of work: one database transaction holding a handler's state change, the events it
emits (outbox) and the record that the incoming event was processed (inbox)."""

from __future__ import annotations

import uuid
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cmis_shared.events import Event
from cmis_shared.inbox_outbox import CLAIM_EVENT, named, named_params
from cmis_shared.outbox import add_events

_CLAIM_EVENT = named(CLAIM_EVENT)


class UnitOfWork:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory
        self.session: AsyncSession

    async def __aenter__(self) -> Self:
        self.session = self._session_factory()
        await self.session.begin()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.session.in_transaction():
            await self.session.rollback()
        await self.session.close()

    async def claim_event(self, consumer: str, event_id: uuid.UUID) -> bool:
        """Record that ``consumer`` processes ``event_id``; False if it already did."""
        result = await self.session.execute(_CLAIM_EVENT, named_params((consumer, event_id)))
        return result.scalar() is not None

    async def publish(self, *events: Event) -> None:
        await add_events(self.session, events)

    async def commit(self) -> None:
        await self.session.commit()
