"""The dashboard has two projections of one view: events applied to the stored state
(``domain/apply.py``) and a rebuild from PostgreSQL (``adapters/view_queries.py``). For any
history of the owning services' writes, both render the same dashboard JSON.

Compared: the whole rendered document at one instant ``now``, so ``updated_at`` (the render
time) is equal by construction. Not compared: the states' ``as_of`` fields (event times in one
projection, row times in the other; they only guard against stale events and are not shown).
KPIs and scheduled content are not events: both projections read them with the same query
(``load_kpis``, ``load_scheduled``), so they are left out. The history spans minutes, well
inside a day, because the "last 30 days" figures carried by ``sync.completed`` are computed at
sync time and legitimately drift from a rebuild days later (a post ages out of the window).
Publication times are kept distinct: posts published at the very same instant have no order.

What it found: equal-ranked campaigns (same spend and impressions) came out in the order the
projection happened to hold them, so the two disagreed; ``render`` now breaks ties by name and
id (and posts, accounts and alerts by id); alerts were ordered by their last event time in one
projection and by ``last_seen_at`` (which alerting's "touch" moves without an event) in the
other: both now order by ``first_seen_at``, which every alert event carries; events delivered
out of order (the next run's request before the previous run's completion) lost that
completion's ``last_sync``: a lane's last success now only moves forward.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
import orjson
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cmis_dashboard_api import admin
from cmis_dashboard_api.adapters.view_queries import load_state
from cmis_dashboard_api.domain.apply import apply_event
from cmis_dashboard_api.domain.fx import RateBook
from cmis_dashboard_api.domain.render import render_dashboard
from cmis_dashboard_api.domain.state import DEFAULT_PERIOD_DAYS, DashboardState
from cmis_dashboard_api.schemas.jsonbytes import dumps
from cmis_shared.clock import ManualClock
from cmis_shared.crypto import TokenCipher
from cmis_shared.db.engine import asyncpg_dsn, create_engine, create_session_factory
from cmis_shared.events import AlertType, DataType, Event, Severity
from cmis_shared.settings import CmisSettings
from cmis_sync_worker.domain.runs import RunStatus
from tests.integration.dashboard_api.conftest import dashboard_settings
from tests.integration.dashboard_api.projection_world import Payload, World

pytestmark = pytest.mark.integration
START = datetime(2025, 6, 15, 10, 0, tzinfo=UTC)
MAX_ACTIONS = 20
# Weekdays only (weekend days convert at Friday's rate); no SAR (its campaigns stay out of the
# totals); GBP only as an organization's choice (cross rates through EUR).
RATES = RateBook.of(
    (currency, day, Decimal(base) + Decimal(offset % 7) / 1000)
    for offset in range(60)
    if (day := date(2025, 6, 16) - timedelta(days=offset)).weekday() < 5
    for currency, base in (("USD", "1.1"), ("GBP", "0.85"))
)
ORG_CURRENCIES = [None, "USD", "EUR", "GBP", "SAR"]

payloads = st.builds(
    Payload,
    campaigns=st.lists(
        st.tuples(
            st.sampled_from(["c1", "c2", "c3"]),
            st.sampled_from(["active", "paused"]),
            st.none() | st.integers(1, 500),
        ),
        min_size=1,
        max_size=3,
        unique_by=lambda campaign: campaign[0],
    ),
    metrics=st.lists(
        st.tuples(
            st.sampled_from(["c1", "c2", "c3"]),
            st.integers(0, 40),
            st.integers(1, 5000),
            st.integers(1, 200),
            st.integers(1, 50_000),
        ),
        min_size=1,
        max_size=6,
    ),
    posts=st.lists(
        st.tuples(
            st.sampled_from([f"p{n}" for n in range(14)]),
            st.integers(0, 24 * 35),
            st.integers(1, 300),
            st.integers(1, 9000),
        ),
        min_size=1,
        max_size=12,
        unique_by=lambda post: post[0],
    ),
)


@dataclass
class Database:
    settings: CmisSettings
    sessions: async_sessionmaker[AsyncSession]
    connection: asyncpg.Connection
    cipher: TokenCipher


@pytest.fixture
async def database(settings: CmisSettings) -> AsyncIterator[Database]:
    dash = dashboard_settings(settings)
    engine = create_engine(dash)
    connection = await asyncpg.connect(asyncpg_dsn(dash.database_url))
    try:
        yield Database(
            dash, create_session_factory(engine), connection, TokenCipher(dash.encryption_keys)
        )
    finally:
        await connection.close()
        await engine.dispose()


def choices(world: World) -> list[tuple[Any, ...]]:
    """Every action the owners could take next, given what happened so far."""
    live = [slot for slot in world.integrations if slot not in world.disconnected]
    options: list[tuple[Any, ...]] = [("connect", slot) for slot in range(3) if slot not in live]
    options.append(("currency",))
    for slot in live:
        options += [("pause", slot), ("disconnect", slot)]
        options += [
            ("raise", slot, kind) for kind in AlertType if (kind, slot) not in world.open_alerts
        ]
        for data_type in DataType:
            lane = world.lanes.get((slot, data_type))
            status = None if lane is None else lane.status
            if status is RunStatus.QUEUED:
                options.append(("start", slot, data_type))
            elif status is RunStatus.RUNNING:
                options += [("complete", slot, data_type), ("fail", slot, data_type)]
            else:
                options += [("request", slot, data_type), ("sync", slot, data_type)]
    return options + [(kind, key) for key in world.open_alerts for kind in ("resolve", "touch")]


async def perform(world: World, data: st.DataObject) -> list[Event]:
    """One drawn action: its writes, and the events its owner publishes."""
    options = choices(world)
    # The kind first, then its target: the many alert and lane targets would otherwise
    # crowd out the few syncs that can complete.
    kinds = sorted({option[0] for option in options})
    # Whole syncs of everything three times as likely: money (campaigns with their metrics,
    # in several currencies) is what most histories must carry.
    kinds += ["sync", "sync"] if "sync" in kinds else []
    kind = data.draw(st.sampled_from(kinds))
    targets = [option for option in options if option[0] == kind]
    whole = [option for option in targets if kind == "sync" and option[2] is DataType.ALL]
    if whole and data.draw(st.booleans()):
        targets = whole
    _, *args = data.draw(st.sampled_from(targets))
    if kind == "connect":
        return await world.connect(args[0])
    if kind == "currency":
        return await world.set_currency(data.draw(st.sampled_from(ORG_CURRENCIES)))
    if kind == "pause":
        return await world.set_paused(args[0], data.draw(st.booleans()))
    if kind == "disconnect":
        return await world.disconnect(args[0])
    if kind == "raise":
        return await world.raise_alert(args[1], args[0], data.draw(st.sampled_from(Severity)))
    if kind == "resolve":
        return await world.resolve_alert(args[0])
    if kind == "touch":
        return await world.touch_alert(args[0])
    if kind == "request":
        return await world.request(args[0], args[1])
    if kind == "sync":  # a whole run at once, so that most histories carry data
        events = await world.request(args[0], args[1])
        events += await world.start(world.lanes[(args[0], args[1])])
        kind = data.draw(st.sampled_from(["complete", "fail"]))
    else:
        events = []
    lane = world.lanes[(args[0], args[1])]
    if kind == "start":
        return await world.start(lane)
    if kind == "complete":
        return events + await world.complete(lane, data.draw(payloads))
    return events + await world.fail(lane, data.draw(st.booleans()))


def rendered(state: DashboardState, now: datetime) -> object:
    return orjson.loads(dumps(render_dashboard(state, now, RATES)))


@settings(
    max_examples=40,
    derandomize=True,
    # No shrinking: each example is a database history, and a shrink would outlast the
    # test timeout; the failure report lists every draw of the failing history.
    phases=[Phase.explicit, Phase.generate],
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_events_and_rebuild_render_the_same_dashboard(
    database: Database, data: st.DataObject
) -> None:
    async with database.sessions() as session, session.begin():
        org = await admin.create_organization(session, f"Org {uuid.uuid4().hex[:6]}", "UTC")
    clock = ManualClock(START)
    world = World(database.sessions, database.connection, database.cipher, org.id, clock)
    from_events = DashboardState(org_id=org.id, org_name=org.name, updated_at=START)
    published: list[Event] = []
    for _ in range(data.draw(st.integers(3, MAX_ACTIONS), label="actions")):
        published += await perform(world, data)
    # Events of different publishers (scheduler, worker, alerting, API) reach the view in any
    # order; each is guarded by its own time, so every order must end in the same view.
    for event in data.draw(st.permutations(published), label="delivery order"):
        apply_event(from_events, event)

    now = world.tick()
    async with database.sessions() as session:
        rebuilt = await load_state(session, org.id, now, DEFAULT_PERIOD_DAYS)
    assert rebuilt is not None
    assert rendered(from_events, now) == rendered(rebuilt, now)


async def test_a_multi_currency_history_converts_alike_in_both_projections(
    database: Database,
) -> None:
    """USD, EUR and SAR accounts, reported in GBP: cross rates through EUR at each metric
    day's rate (weekends at Friday's), SAR (no rate) left out and named, in both."""
    world, from_events = await _new_world(database)
    payload = Payload(
        [("c1", "active", 500), ("c2", "active", None)],
        [("c1", 0, 1000, 50, 10_000), ("c1", 1, 900, 40, 12_345), ("c2", 3, 500, 20, 999)],
        [],
    )
    events: list[Event] = []
    for slot in range(3):
        events += await world.connect(slot)
        events += await world.request(slot, DataType.ALL)
        lane = world.lanes[(slot, DataType.ALL)]
        events += await world.start(lane)
        events += await world.complete(lane, payload)
    events += await world.set_currency("GBP")
    for event in events:
        apply_event(from_events, event)
    served, rebuilt = await _both_rendered(database, world, from_events)
    assert served == rebuilt
    assert isinstance(served, dict)
    assert served["currency"] == "GBP"
    assert served["exchange_rates"]["unconverted_currencies"] == ["SAR"]
    assert set(served["exchange_rates"]["rate_dates"]) == {"USD", "EUR"}
    assert served["exchange_rates"]["rates_as_of"] is not None


async def _new_world(database: Database) -> tuple[World, DashboardState]:
    async with database.sessions() as session, session.begin():
        org = await admin.create_organization(session, f"Org {uuid.uuid4().hex[:6]}", "UTC")
    world = World(
        database.sessions, database.connection, database.cipher, org.id, ManualClock(START)
    )
    return world, DashboardState(org_id=org.id, org_name=org.name, updated_at=START)


async def _both_rendered(
    database: Database, world: World, from_events: DashboardState
) -> tuple[object, object]:
    now = world.tick()
    async with database.sessions() as session:
        rebuilt = await load_state(session, world.org_id, now, DEFAULT_PERIOD_DAYS)
    assert rebuilt is not None
    return rendered(from_events, now), rendered(rebuilt, now)


async def test_a_touched_alert_keeps_its_place_in_both_projections(database: Database) -> None:
    """Two open warnings; the older one's rule fires again (a touch: ``last_seen_at`` moves,
    no event). Found by the fault suite: the rebuild listed the touched alert first."""
    world, from_events = await _new_world(database)
    events = [*await world.connect(0), *await world.connect(1)]
    events += await world.raise_alert(AlertType.BUDGET, 0, Severity.WARNING)
    events += await world.raise_alert(AlertType.BUDGET, 1, Severity.WARNING)
    events += await world.touch_alert((AlertType.BUDGET, 0))
    for event in events:
        apply_event(from_events, event)
    served, rebuilt = await _both_rendered(database, world, from_events)
    assert served == rebuilt


async def test_a_completion_delivered_after_the_next_request_still_sets_last_sync(
    database: Database,
) -> None:
    """The worker's ``sync.completed`` and the scheduler's next ``sync.requested`` come from
    two relays: the request can arrive first. Found by the fault suite (``last_sync``)."""
    world, from_events = await _new_world(database)
    events = await world.connect(0)
    events += await world.request(0, DataType.CAMPAIGNS)
    lane = world.lanes[(0, DataType.CAMPAIGNS)]
    events += await world.start(lane)
    completion = await world.complete(lane, Payload([("c1", "active", 100)], [], []))
    next_request = await world.request(0, DataType.CAMPAIGNS)
    for event in [*events, *next_request, *completion]:
        apply_event(from_events, event)
    served, rebuilt = await _both_rendered(database, world, from_events)
    assert served == rebuilt
