"""The edges the handlers talk to; SQL/Redis adapters implement them, unit tests fake them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from typing import Protocol

from cmis_scheduler.domain.dispatch import Advance, DueEntry
from cmis_shared.events import Platform


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class RateLimiter(Protocol):
    """A per-platform budget shared by every scheduler replica."""

    async def available(self, platform: Platform, wanted: int) -> int: ...

    async def take(self, platform: Platform, wanted: int) -> int: ...


class ScheduleBatch(Protocol):
    """One transaction over claimed schedule entries: nothing is visible until commit, and
    the claimed rows stay locked against other replicas until then."""

    async def claim_due(self, platform: Platform, now: datetime, limit: int) -> list[DueEntry]: ...

    async def dispatch(self, advances: Sequence[Advance], now: datetime) -> int: ...

    async def advance(self, advances: Sequence[Advance]) -> None: ...

    async def report_token_expired(self, entries: Sequence[DueEntry], now: datetime) -> None: ...

    async def switch_off(self, entries: Sequence[DueEntry]) -> None: ...

    async def commit(self) -> None: ...


ScheduleBatches = Callable[[], AbstractAsyncContextManager[ScheduleBatch]]
