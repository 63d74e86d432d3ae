"""Catch-up after downtime, through the unit-of-work port: every entry missed by more than
the threshold moves into the catch-up window, in chunks, each its own transaction."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID, uuid4

import pytest

from cmis_scheduler.domain.catch_up import MissedEntry, replanned_due
from cmis_scheduler.domain.entries import EntryState
from cmis_scheduler.handlers.catch_up import replan_missed
from cmis_shared.events import DataType
from tests.unit.scheduler.fake_uow import FakeStore
from tests.unit.scheduler.fakes import START

pytestmark = pytest.mark.unit

THRESHOLD = timedelta(minutes=5)
WINDOW = 900


def _entry(store: FakeStore, overdue: timedelta, *, enabled: bool = True) -> UUID:
    integration_id = uuid4()
    store.state.entries[integration_id] = {
        DataType.METRICS: EntryState(DataType.METRICS, 3600, 0, START - overdue, enabled)
    }
    return integration_id


def _due(store: FakeStore, integration_id: UUID) -> object:
    return store.state.entries[integration_id][DataType.METRICS].next_due_at


async def test_missed_entries_move_into_the_window_in_chunks_and_the_rest_stay() -> None:
    store = FakeStore()
    missed = [_entry(store, timedelta(hours=hours)) for hours in range(1, 6)]
    late_but_not_missed = _entry(store, timedelta(minutes=2))
    switched_off = _entry(store, timedelta(hours=3), enabled=False)

    moved = await replan_missed(store.uow, lambda: START, THRESHOLD, WINDOW, chunk=2)

    assert moved == 5
    assert store.opened == 4  # 2 + 2 + 1, then one that finds nothing left
    for integration_id in missed:
        expected = replanned_due(MissedEntry(integration_id, DataType.METRICS, 3600), START, WINDOW)
        assert _due(store, integration_id) == expected
        assert START <= expected < START + timedelta(seconds=WINDOW)
    assert _due(store, late_but_not_missed) == START - timedelta(minutes=2)
    assert _due(store, switched_off) == START - timedelta(hours=3)


async def test_a_second_pass_finds_nothing_to_move() -> None:
    store = FakeStore()
    _entry(store, timedelta(hours=2))
    assert await replan_missed(store.uow, lambda: START, THRESHOLD, WINDOW) == 1
    assert await replan_missed(store.uow, lambda: START, THRESHOLD, WINDOW) == 0


def test_a_missed_entry_lands_within_its_period_when_that_is_shorter_than_the_window() -> None:
    short = MissedEntry(uuid4(), DataType.METRICS, period_seconds=60)
    assert START <= replanned_due(short, START, WINDOW) < START + timedelta(seconds=60)
