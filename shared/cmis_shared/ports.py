"""The unit of work every service's handlers run in, as Protocols: one transaction holding a
handler's state change and the events it emits (outbox), and for event consumers the record
that the incoming event was processed (inbox). Each service's ``ports.py`` extends one of
them with its repositories; :class:`cmis_shared.uow.UnitOfWork` (SQLAlchemy) and the sync
worker's asyncpg unit of work implement them, unit tests fake them."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self
from uuid import UUID

from cmis_shared.events import Event


class OutboxUnitOfWork(Protocol):
    """Left without :meth:`commit`, everything in it is rolled back."""

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    async def publish(self, *events: Event) -> None:
        """Stage events in the outbox: they go out only if the transaction commits."""
        ...

    async def commit(self) -> None: ...


class InboxOutboxUnitOfWork(OutboxUnitOfWork, Protocol):
    async def claim_event(self, consumer: str, event_id: UUID) -> bool:
        """Record that ``consumer`` processes ``event_id``; False if it already did."""
        ...
