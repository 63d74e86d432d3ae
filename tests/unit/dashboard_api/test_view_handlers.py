"""The dashboard view's use cases (handlers/views.py) over in-memory fakes of its ports:
which reads are served from the stored view, when PostgreSQL is read (and only once for
concurrent callers), what an event changes, and what live streams are told."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import orjson
import pytest

from cmis_dashboard_api.domain.fx import RateBook
from cmis_dashboard_api.domain.state import DEFAULT_PERIOD_DAYS, KpiTarget, ScheduledItem
from cmis_dashboard_api.handlers.views import DashboardViews
from cmis_shared.events import BackfillProgressed, BackfillStatus, SyncStarted
from tests.unit.dashboard_api.factories import ORG, T0, campaign, completed, state
from tests.unit.dashboard_api.fake_views import FakeLive, FakeViewSource, FakeViewStore

pytestmark = pytest.mark.unit

VIEW_TTL, PERIOD_TTL = 60, 30


class World:
    def __init__(self) -> None:
        self.store = FakeViewStore()
        self.source = FakeViewSource()
        self.live = FakeLive()
        self.views = DashboardViews(
            self.store,
            self.source,
            self.live,
            view_ttl_seconds=VIEW_TTL,
            period_view_ttl_seconds=PERIOD_TTL,
            clock=lambda: T0,
        )

    def served(self, org_id: uuid.UUID = ORG) -> dict[str, Any]:
        view = self.store.views[(org_id, None)]
        return orjson.loads(view)  # type: ignore[no-any-return]


def _spend(view: dict[str, Any]) -> Decimal:
    return Decimal(str(view["overview"]["advertising"]["total_spend"]))


async def test_a_stored_view_is_served_as_it_is_without_reading_postgresql() -> None:
    world = World()
    world.store.views[(ORG, None)] = b'{"cached": true}'
    assert await world.views.get(ORG) == b'{"cached": true}'
    assert world.source.state_reads == []


async def test_expired_view_bytes_are_rendered_again_from_the_stored_state() -> None:
    world = World()
    stored = state()
    stored.org_name = "From Redis"
    world.store.put_state(stored)
    world.source.states[ORG] = state()  # would say "Acme": must not be read

    view = orjson.loads(await world.views.get(ORG) or b"null")

    assert view["org_name"] == "From Redis"
    assert world.source.state_reads == []
    assert world.served()["org_name"] == "From Redis"  # the bytes are stored again


async def test_a_lost_state_is_rebuilt_from_postgresql_once_for_concurrent_readers() -> None:
    world = World()
    world.source.states[ORG] = state()
    world.source.gate = asyncio.Event()
    readers = [asyncio.create_task(world.views.get(ORG)) for _ in range(3)]
    await asyncio.sleep(0)
    world.source.gate.set()
    views = await asyncio.gather(*readers)

    assert world.source.state_reads == [(ORG, DEFAULT_PERIOD_DAYS)]
    assert views[0] is not None and len(set(views)) == 1
    assert world.store.state(ORG) is not None


async def test_a_rebuild_keeps_a_state_another_process_stored_meanwhile() -> None:
    world = World()
    world.source.states[ORG] = state()
    world.source.gate = asyncio.Event()
    reader = asyncio.create_task(world.views.get(ORG))
    await asyncio.sleep(0)
    theirs = state()
    theirs.org_name = "Rebuilt elsewhere"
    world.store.put_state(theirs)
    world.source.gate.set()

    view = orjson.loads(await reader or b"null")

    assert view["org_name"] == "Rebuilt elsewhere"
    stored = world.store.state(ORG)
    assert stored is not None and stored.org_name == "Rebuilt elsewhere"


async def test_an_unknown_organization_has_no_view_and_nothing_is_stored() -> None:
    world = World()
    assert await world.views.get(uuid.uuid4()) is None
    assert world.store.states == {} and world.store.views == {}


async def test_an_event_changes_the_stored_view_and_tells_live_streams() -> None:
    world = World()
    world.store.put_state(state())
    await world.views.apply(completed(uuid.uuid4(), [campaign("120")]))

    assert _spend(world.served()) == Decimal(120)
    [(org_id, kind, data)] = world.live.published
    assert (org_id, kind, data["section"]) == (ORG, "sync_status", "figures")
    assert world.source.state_reads == []


async def test_an_event_that_changes_nothing_writes_nothing_and_tells_nobody() -> None:
    world = World()
    integration = uuid.uuid4()
    world.store.put_state(state())
    late = T0 + timedelta(minutes=5)
    await world.views.apply(completed(integration, [campaign("300")], at=late, data_type="metrics"))
    world.live.published.clear()
    before = dict(world.store.states), dict(world.store.views)

    older_start = SyncStarted(
        org_id=ORG, run_id=uuid.uuid4(), integration_id=integration, platform="google",
        data_type="metrics", trigger="manual", attempt=1, occurred_at=T0, started_at=T0,
    )  # fmt: skip
    await world.views.apply(older_start)

    assert (world.store.states, world.store.views) == before
    assert world.live.published == []


async def test_an_event_for_a_lost_state_rebuilds_it_then_applies_the_event() -> None:
    world = World()
    world.source.states[ORG] = state()
    await world.views.apply(completed(uuid.uuid4(), [campaign("75")]))

    assert world.source.state_reads == [(ORG, DEFAULT_PERIOD_DAYS)]
    assert _spend(world.served()) == Decimal(75)
    assert [kind for _, kind, _ in world.live.published] == ["sync_status"]


async def test_an_event_for_an_unknown_organization_is_ignored() -> None:
    world = World()
    await world.views.apply(completed(uuid.uuid4(), [campaign("75")]))
    assert world.store.states == {} and world.live.published == []


async def test_refresh_replaces_the_stored_state_with_postgresql_and_tells_streams() -> None:
    world = World()
    world.store.put_state(state())
    await world.views.apply(completed(uuid.uuid4(), [campaign("120")]))
    world.live.published.clear()
    world.source.states[ORG] = state()  # PostgreSQL knows no figures

    view = orjson.loads(await world.views.refresh(ORG) or b"null")

    assert _spend(view) == _spend(world.served()) == Decimal(0)
    assert world.live.published == [(ORG, "dashboard", {"section": "all"})]


async def test_refresh_of_an_unknown_organization_tells_nobody() -> None:
    world = World()
    assert await world.views.refresh(uuid.uuid4()) is None
    assert world.live.published == []


async def test_reload_plans_takes_kpis_and_scheduled_content_from_postgresql() -> None:
    world = World()
    world.store.put_state(state())
    world.source.kpis[ORG] = [KpiTarget(name="Spend cap", metric="total_spend", target=500)]
    world.source.scheduled[ORG] = [
        ScheduledItem(
            id=uuid.uuid4(), content="Launch", platforms=["meta"],
            scheduled_for=T0 + timedelta(days=1), status="scheduled",
        )
    ]  # fmt: skip

    await world.views.reload_plans(ORG)

    stored = world.store.state(ORG)
    assert stored is not None
    assert [k.name for k in stored.kpis] == ["Spend cap"]
    assert [s.content for s in stored.scheduled] == ["Launch"]
    assert [k["name"] for k in world.served()["kpis"]] == ["Spend cap"]
    assert world.live.published == [(ORG, "dashboard", {"section": "plans"})]
    assert world.source.state_reads == []


async def test_another_period_is_read_from_postgresql_and_kept_for_its_own_lifetime() -> None:
    world = World()
    world.source.states[ORG] = state()

    first = await world.views.get(ORG, period_days=7)
    second = await world.views.get(ORG, period_days=7)

    assert first is not None and first == second
    assert orjson.loads(first)["overview"]["period"] == "Last 7 days"
    assert world.source.state_reads == [(ORG, 7)]
    assert world.store.period_ttls == {(ORG, 7): PERIOD_TTL}
    assert world.store.state(ORG) is None  # the default view's state is not touched


class FixedRates:
    def __init__(self, book: RateBook) -> None:
        self.book_reads = 0
        self._book = book

    async def book(self) -> RateBook:
        self.book_reads += 1
        return self._book


async def test_converted_figures_use_the_rates_and_are_rendered_again_when_they_may_move() -> None:
    world = World()
    rates = FixedRates(RateBook({"USD": {T0.date(): Decimal("1.25")}}))
    world.views = DashboardViews(
        world.store, world.source, world.live, view_ttl_seconds=VIEW_TTL,
        period_view_ttl_seconds=PERIOD_TTL, rates=rates, rates_ttl_seconds=7, clock=lambda: T0,
    )  # fmt: skip
    world.store.put_state(state(currency="EUR"))
    await world.views.apply(completed(uuid.uuid4(), [campaign("125")]))  # 125 USD
    served = world.served()
    assert served["overview"]["advertising"]["total_spend"] == 100
    assert served["exchange_rates"]["rates_as_of"] == T0.date().isoformat()
    assert world.store.view_ttls[ORG] == 7
    assert rates.book_reads == 1

    world.store.put_state(state(currency="USD"))  # nothing to convert: the usual lifetime
    await world.views.apply(completed(uuid.uuid4(), [campaign("125")]))
    assert world.store.view_ttls[ORG] == VIEW_TTL


async def test_backfill_progress_reaches_the_stream_in_order_even_when_a_publish_is_slow() -> None:
    """Two progress events handled at once (the consumer's prefetch): the newer one must not
    overtake the older one while the older is being published."""
    world = World()
    gate = asyncio.Event()
    published = world.live.published

    async def slow_for_nine(org_id: uuid.UUID, kind: str, data: dict[str, Any]) -> str:
        if data["windows_done"] == 9:
            await gate.wait()
        published.append((org_id, kind, data))
        return f"{len(published)}-0"

    world.live.publish = slow_for_nine  # type: ignore[method-assign]
    backfill = uuid.uuid4()

    def progress(done: int) -> BackfillProgressed:
        return BackfillProgressed(
            org_id=ORG,
            backfill_id=backfill,
            status=BackfillStatus.RUNNING,
            windows_total=12,
            windows_done=done,
            windows_failed=0,
            windows_cancelled=0,
            rows_stored=done * 10,
        )

    nine = asyncio.create_task(world.views.apply(progress(9)))
    await asyncio.sleep(0)
    ten = asyncio.create_task(world.views.apply(progress(10)))
    await asyncio.sleep(0.01)
    gate.set()
    await asyncio.gather(nine, ten)

    assert [data["windows_done"] for _, _, data in published] == [9, 10]
