"""The dashboard view's use cases: serve it, keep it current from events, rebuild it from
PostgreSQL when Redis lost it (or on request), and tell live streams what changed."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import datetime
from uuid import UUID

import structlog

from cmis_dashboard_api.domain.apply import apply_event
from cmis_dashboard_api.domain.fx import RateBook
from cmis_dashboard_api.domain.live_messages import BACKFILLS, BackfillMarks, live_message
from cmis_dashboard_api.domain.render import (
    render_dashboard,
    seconds_until_stale,
    uses_exchange_rates,
)
from cmis_dashboard_api.domain.state import DEFAULT_PERIOD_DAYS, DashboardState
from cmis_dashboard_api.ports import (
    ExchangeRates,
    LivePublisher,
    Materialized,
    ViewSource,
    ViewStore,
)
from cmis_dashboard_api.schemas.jsonbytes import dumps
from cmis_shared.clock import Clock, system_clock
from cmis_shared.events import BackfillProgressed, Event

log = structlog.get_logger(__name__)


class StateMissingError(LookupError):
    """Redis has no state for the org (flushed, expired, never built)."""


class DashboardViews:
    def __init__(
        self,
        store: ViewStore,
        source: ViewSource,
        live: LivePublisher,
        *,
        view_ttl_seconds: int,
        period_view_ttl_seconds: int,
        rates: ExchangeRates | None = None,
        rates_ttl_seconds: int = 300,
        clock: Clock = system_clock,
    ) -> None:
        self._store = store
        self._source = source
        self._live = live
        self._view_ttl = view_ttl_seconds
        self._period_ttl = period_view_ttl_seconds
        self._clock = clock
        # Money is rendered in each organization's currency at these rates (none: only
        # amounts already in it are added up), refreshed before each render.
        self._rates = rates
        self._rates_ttl = max(1, rates_ttl_seconds)
        self._book = RateBook()
        self._backfill_marks = BackfillMarks()
        self._rebuilding: dict[UUID, asyncio.Future[Materialized | None]] = {}
        # Events of one org applied one at a time in this process. The consumer runs up to
        # prefetch_count deliveries at once, mostly of a few busy orgs: as optimistic
        # transactions alone, all but one of them lost each round, retried, and lost again
        # (the view fell minutes behind under the fault suite's load). The transaction still
        # guards against the other API processes.
        self._applying: dict[UUID, tuple[asyncio.Lock, int]] = {}

    def _materialize(self, state: DashboardState, now: datetime) -> Materialized:
        document = render_dashboard(state, now, self._book)
        ttl = seconds_until_stale(state, now, self._view_ttl)
        if uses_exchange_rates(document):
            # Converted figures follow the rates: rendered again from the stored state (no
            # PostgreSQL) once the rates may have moved, even if no event comes.
            ttl = min(ttl, self._rates_ttl)
        return Materialized(state, dumps(document), ttl)

    async def get(self, org_id: UUID, period_days: int = DEFAULT_PERIOD_DAYS) -> bytes | None:
        """The dashboard bytes; ``None`` only if the organization does not exist."""
        if period_days != DEFAULT_PERIOD_DAYS:
            return await self._period_view(org_id, period_days)
        view = await self._store.get_view(org_id)
        if view is not None:
            return view
        await self._refresh_rates()
        try:  # the bytes expired but the state is there: render, no PostgreSQL
            result = await self._store.transact(org_id, self._rerender)
        except StateMissingError:
            result = await self._rebuild_once(org_id)
        return None if result is None else result.view

    def _rerender(self, current: DashboardState | None) -> Materialized:
        if current is None:
            raise StateMissingError
        return self._materialize(current, self._clock())

    async def _refresh_rates(self) -> None:
        if self._rates is not None:
            self._book = await self._rates.book()

    async def refresh(self, org_id: UUID) -> bytes | None:
        """Rebuild from PostgreSQL now, replacing what Redis holds."""
        result = await self._rebuild(org_id, replace=True)
        if result is not None:
            await self._live.publish(org_id, "dashboard", {"section": "all"})
        return None if result is None else result.view

    @contextlib.asynccontextmanager
    async def _one_writer(self, org_id: UUID) -> AsyncIterator[None]:
        """The org's lock, forgotten once nobody holds or awaits it (orgs are many)."""
        lock, users = self._applying.get(org_id, (asyncio.Lock(), 0))
        self._applying[org_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._applying[org_id]
            if users == 1:
                del self._applying[org_id]
            else:
                self._applying[org_id] = (lock, users - 1)

    async def apply(self, event: Event) -> None:
        if isinstance(event, BackfillProgressed):
            # Progress changes no figure of the view: it only goes to the live stream. The
            # check and the publish happen under the org's lock, or a newer progress checked
            # while an older one is being published could reach the stream first.
            async with self._one_writer(event.org_id):
                if self._backfill_marks.advances(event):
                    await self._live.publish(event.org_id, *live_message(event, BACKFILLS))
            return
        async with self._one_writer(event.org_id):
            await self._apply(event)

    async def _apply(self, event: Event) -> None:
        changed: list[str] = []
        await self._refresh_rates()

        def change(current: DashboardState | None) -> Materialized | None:
            if current is None:
                raise StateMissingError
            changed.clear()
            kind = apply_event(current, event)
            if kind is None:
                return None
            changed.append(kind)
            now = self._clock()
            current.updated_at = now
            return self._materialize(current, now)

        try:
            await self._store.transact(event.org_id, change)
        except StateMissingError:
            # The rebuilt snapshot already holds this event's effect (its producer committed
            # before publishing); applying it on top is harmless and covers a late commit.
            if await self._rebuild_once(event.org_id) is None:
                log.info("event for an unknown organization ignored")
                return
            await self._store.transact(event.org_id, change)
        if changed:
            await self._live.publish(event.org_id, *live_message(event, changed[0]))

    async def reload_plans(self, org_id: UUID) -> None:
        """Take KPI targets and scheduled content (this service's own tables) from PostgreSQL
        after a change through the API."""
        now = self._clock()
        kpis, scheduled = await self._source.plans(org_id, now)
        await self._refresh_rates()

        def change(current: DashboardState | None) -> Materialized:
            if current is None:
                raise StateMissingError
            current.kpis, current.scheduled, current.updated_at = kpis, scheduled, now
            return self._materialize(current, now)

        try:
            await self._store.transact(org_id, change)
        except StateMissingError:
            await self._rebuild_once(org_id)
        await self._live.publish(org_id, "dashboard", {"section": "plans"})

    async def _period_view(self, org_id: UUID, period_days: int) -> bytes | None:
        view = await self._store.get_view(org_id, period_days)
        if view is not None:
            return view
        now = self._clock()
        state = await self._source.state(org_id, now, period_days)
        if state is None:
            return None
        await self._refresh_rates()
        view = self._materialize(state, now).view
        await self._store.put_period_view(org_id, period_days, view, self._period_ttl)
        return view

    async def _rebuild_once(self, org_id: UUID) -> Materialized | None:
        """One rebuild per org at a time in this process; concurrent callers share it."""
        pending = self._rebuilding.get(org_id)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[Materialized | None] = asyncio.get_running_loop().create_future()
        self._rebuilding[org_id] = future
        try:
            result = await self._rebuild(org_id, replace=False)
            future.set_result(result)
            return result
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # retrieved here: waiters re-raise it, nobody logs it as lost
            raise
        finally:
            del self._rebuilding[org_id]

    async def _rebuild(self, org_id: UUID, *, replace: bool) -> Materialized | None:
        now = self._clock()
        state = await self._source.state(org_id, now, DEFAULT_PERIOD_DAYS)
        if state is None:
            return None
        await self._refresh_rates()
        built = self._materialize(state, now)
        log.info("dashboard view rebuilt from PostgreSQL", org_id=str(org_id), replace=replace)

        def change(current: DashboardState | None) -> Materialized | None:
            if current is not None and not replace:  # someone rebuilt it meanwhile: keep theirs
                return self._materialize(current, self._clock())
            return built

        return await self._store.transact(org_id, change)
