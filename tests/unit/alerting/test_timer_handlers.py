"""The handlers of timer ticks over fakes: token expiry, the dead-letter queue, history
retention; and the timer that keeps ticking after a failed tick."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from sqlalchemy.exc import OperationalError

from cmis_alerting.domain.commands import Tick
from cmis_alerting.domain.dead_letters import SYSTEM_ORG_ID
from cmis_alerting.domain.lifecycle import Decision, decide
from cmis_alerting.domain.observations import AlertKey, holds
from cmis_alerting.domain.thresholds import Thresholds
from cmis_alerting.domain.tokens import TokenFacts, token_key
from cmis_alerting.handlers import DeadLetterCheck, HistoryRetention, TokenExpiryCheck
from cmis_alerting.timers import Timer
from cmis_shared.clock import ManualClock
from cmis_shared.events import AlertRaised, AlertResolved, AlertType, Severity
from tests.unit.alerting.factories import NOW, ORG
from tests.unit.alerting.fakes import FakeDeadLetterQueue, FakeStore

pytestmark = pytest.mark.unit


def _integration(store: FakeStore, remaining: timedelta, status: str = "active") -> uuid.UUID:
    facts = TokenFacts(ORG, uuid.uuid4(), "meta", NOW + remaining, status)
    store.state.integrations.append(facts)
    return facts.integration_id


async def test_token_check_raises_escalates_and_clears_at_the_ticks_time() -> None:
    store = FakeStore()
    check = TokenExpiryCheck(store.uow, Thresholds())
    soon = _integration(store, timedelta(days=3))
    _integration(store, timedelta(days=30))

    assert await check(Tick(NOW)) == 1
    assert await check(Tick(NOW + timedelta(minutes=5))) == 0  # same severity: last seen only
    assert await check(Tick(NOW + timedelta(days=2, hours=1))) == 1
    [raised, escalated] = store.events()
    assert isinstance(escalated, AlertRaised) and escalated.escalated
    assert raised.subject_id == escalated.subject_id == soon

    store.state.integrations.clear()  # deleted
    assert await check(Tick(NOW + timedelta(days=2, hours=2))) == 1
    assert isinstance(store.events()[-1], AlertResolved)
    assert store.open_alerts() == []


async def test_token_check_leaves_an_alert_opened_concurrently_to_the_next_tick() -> None:
    store = FakeStore()
    check = TokenExpiryCheck(store.uow, Thresholds())
    subject = _integration(store, timedelta(hours=2))

    async def an_event_opens_it() -> None:
        async with store.uow() as uow:
            await uow.alerts.save(_opened(token_key(ORG, subject)), None)
            await uow.commit()

    store.before_latest = an_event_opens_it
    assert await check(Tick(NOW)) == 0
    assert len(store.open_alerts()) == 1


def _opened(key: AlertKey) -> Decision:
    decision = decide(None, holds(key, NOW, Severity.WARNING, "opened by an event"))
    assert decision is not None
    return decision


async def test_dead_letters_raise_one_system_alert_and_resolve_when_emptied() -> None:
    store, queue = FakeStore(), FakeDeadLetterQueue()
    check = DeadLetterCheck(store.uow, queue)
    clock = ManualClock(NOW)

    assert await check(Tick(clock())) == 0  # empty, nothing open: nothing to say
    queue.messages = 3
    assert await check(Tick(clock.advance(timedelta(seconds=30)))) == 1
    queue.messages = 5
    assert await check(Tick(clock.advance(timedelta(seconds=30)))) == 0  # still the one alert
    queue.messages = 0
    assert await check(Tick(clock.advance(timedelta(seconds=30)))) == 1

    raised, resolved = store.events()
    assert isinstance(raised, AlertRaised) and isinstance(resolved, AlertResolved)
    assert (raised.alert_type, raised.org_id, raised.subject_id) == (
        AlertType.DEAD_LETTERS, SYSTEM_ORG_ID, SYSTEM_ORG_ID,
    )  # fmt: skip
    assert raised.message == "3 messages in the dead-letter queue cmis.dead-letter"
    assert raised.details == {"queue": "cmis.dead-letter", "message_count": 3}
    assert resolved.alert_id == raised.alert_id
    assert resolved.reason == "the dead-letter queue is empty"
    assert store.open_alerts() == []


async def test_retention_deletes_old_history_in_bounded_batches() -> None:
    store = FakeStore()
    old = [NOW - timedelta(days=400, minutes=i) for i in range(7)]
    recent = [NOW - timedelta(days=10), NOW - timedelta(days=364)]
    store.state.history_times = [*old, *recent]
    retention = HistoryRetention(store.uow, timedelta(days=365), batch_size=3, max_batches=10)

    assert await retention(Tick(NOW)) == 7
    assert sorted(store.state.history_times) == sorted(recent)
    assert store.commits == 3  # 3 + 3 + 1, one transaction each


async def test_retention_stops_after_its_batches_and_continues_next_tick() -> None:
    store = FakeStore()
    store.state.history_times = [NOW - timedelta(days=400, minutes=i) for i in range(10)]
    retention = HistoryRetention(store.uow, timedelta(days=365), batch_size=3, max_batches=2)
    assert await retention(Tick(NOW)) == 6
    assert await retention(Tick(NOW)) == 4
    assert store.state.history_times == []


async def test_a_timer_keeps_ticking_after_a_failed_tick() -> None:
    ticks: list[Tick] = []
    done = asyncio.Event()

    async def handler(tick: Tick) -> int:
        ticks.append(tick)
        if len(ticks) == 1:
            raise OperationalError("SELECT 1", {}, ConnectionError("database restarting"))
        done.set()
        return 0

    clock = ManualClock(NOW)
    task = asyncio.create_task(Timer("test", 0, handler, clock).run())
    await asyncio.wait_for(done.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert [t.now for t in ticks[:2]] == [NOW, NOW]
