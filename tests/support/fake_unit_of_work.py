"""The inbox and outbox half of every service's in-memory unit of work (unit tests).

A fake unit of work works on a copy of its store's state (``self._state``) and publishes it
back to ``self._store.state`` on commit, as a transaction would; the state holds the inbox
(``processed``) and the events committed so far (``published``)."""

from __future__ import annotations

from types import TracebackType
from typing import Any
from uuid import UUID

from cmis_shared.events import Event


class FakeInboxOutbox:
    _state: Any
    _store: Any
    _outbox: list[Event]
    committed = False

    async def __aexit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    async def claim_event(self, consumer: str, event_id: UUID) -> bool:
        if (consumer, event_id) in self._state.processed:
            return False
        self._state.processed.add((consumer, event_id))
        return True

    async def publish(self, *events: Event) -> None:
        self._outbox.extend(events)

    async def commit(self) -> None:
        self._state.published.extend(self._outbox)
        self._store.state = self._state
        self.committed = True
