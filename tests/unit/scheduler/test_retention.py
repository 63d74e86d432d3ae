"""Retention: the cut-off dates, and the purge in bounded batches."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cmis_scheduler.domain.retention import RetentionPolicy, cutoffs
from cmis_scheduler.handlers.retention import purge_expired
from tests.unit.scheduler.fake_uow import FakeStore
from tests.unit.scheduler.fakes import START

pytestmark = pytest.mark.unit


def test_defaults_keep_inbox_30_days_and_runs_and_retries_90() -> None:
    limits = cutoffs(RetentionPolicy(), START)
    assert limits.processed_events == START - timedelta(days=30)
    assert limits.sync_runs == limits.retry_entries == START - timedelta(days=90)


async def test_purge_deletes_only_expired_rows_in_batches_until_none_is_left() -> None:
    store = FakeStore()
    old, recent = START - timedelta(days=31), START - timedelta(days=29)
    store.state.aged = {
        "processed_events": [old] * 25 + [recent] * 3,
        "sync_runs": [START - timedelta(days=91)] * 4 + [START - timedelta(days=89)],
        "retry_entries": [],
    }
    deleted = await purge_expired(store.uow, RetentionPolicy(), lambda: START, batch_size=10)

    assert deleted == {"processed_events": 25, "sync_runs": 4, "retry_entries": 0}
    assert store.state.aged["processed_events"] == [recent] * 3
    assert len(store.state.aged["sync_runs"]) == 1
    assert store.opened == 3  # 10 + 10 + 5: each batch its own unit of work


async def test_a_pass_stops_at_its_batch_cap_and_leaves_the_rest_for_the_next() -> None:
    store = FakeStore()
    store.state.aged = {"processed_events": [START - timedelta(days=40)] * 30}
    deleted = await purge_expired(
        store.uow, RetentionPolicy(), lambda: START, batch_size=10, max_batches=2
    )
    assert deleted["processed_events"] == 20
    assert len(store.state.aged["processed_events"]) == 10
