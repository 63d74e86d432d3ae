"""Reconciling schedule entries with the integrations over the in-memory unit of work: one
integration's entries planned on its event, every integration a page per unit of work at
start-up, and planning again from the same facts writes nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, timedelta
from typing import Any
from uuid import UUID

import pytest

from cmis_scheduler.domain.entries import IntegrationView
from cmis_scheduler.domain.integrations import IntegrationRecord
from cmis_scheduler.domain.schedule import ScheduleDefaults, schedule_specs
from cmis_scheduler.handlers.reconcile import reconcile_all, reconcile_integrations
from cmis_shared.events import DataType, IntegrationStatus, Platform
from tests.unit.scheduler.fake_uow import FakeStore
from tests.unit.scheduler.fakes import START

pytestmark = pytest.mark.unit
ORG = UUID(int=7)
EVERY_TYPE = {DataType.METRICS, DataType.CAMPAIGNS, DataType.ALL}


def integration(
    store: FakeStore, n: int, status: IntegrationStatus = IntegrationStatus.ACTIVE
) -> UUID:
    fields: dict[str, Any] = {
        "id": UUID(int=1000 + n), "org_id": ORG, "platform": Platform.META, "account_id": f"a{n}",
        "account_name": "Acme", "status": status, "status_reason": None, "currency": "USD",
        "timezone": "UTC", "token_expires_at": None, "refreshable": True,
        "consecutive_failures": 0, "first_failure_at": None,
    }  # fmt: skip
    record = IntegrationRecord(**fields)
    store.state.integrations[record.id] = record
    store.state.views[record.id] = IntegrationView(
        record.id, ORG, "meta", True, UTC, schedule_specs(ScheduleDefaults(), None)
    )
    return record.id


async def test_one_integrations_entries_are_planned_once_from_the_same_facts() -> None:
    store = FakeStore()
    first, other = integration(store, 1), integration(store, 2)

    async with store.uow() as uow:
        assert await reconcile_integrations(uow.entries, [first], START) == 3
        await uow.commit()
    assert set(store.state.entries) == {first}  # only the one named
    assert set(store.state.entries[first]) == EVERY_TYPE
    for state in store.state.entries[first].values():
        assert state.enabled
        assert START < state.next_due_at <= START + timedelta(seconds=state.period_seconds)

    async with store.uow() as uow:
        assert await reconcile_integrations(uow.entries, [first], START + timedelta(minutes=5)) == 0
        assert await reconcile_integrations(uow.entries, [UUID(int=1)], START) == 0  # unknown
    assert other not in store.state.entries


async def test_a_paused_integrations_entries_are_rewritten_disabled() -> None:
    store = FakeStore()
    paused = integration(store, 1)
    async with store.uow() as uow:
        await reconcile_integrations(uow.entries, [paused], START)
        await uow.commit()
    record = store.state.integrations[paused]
    store.state.integrations[paused] = replace(record, status=IntegrationStatus.PAUSED)
    async with store.uow() as uow:
        assert await reconcile_integrations(uow.entries, [paused], START) == 3
        await uow.commit()
    assert not any(state.enabled for state in store.state.entries[paused].values())


async def test_start_up_reconciles_every_integration_a_page_per_unit_of_work() -> None:
    store = FakeStore()
    ids = [integration(store, n) for n in range(5)]

    written = await reconcile_all(store.uow, START, page_size=2)

    assert written == 15
    assert set(store.state.entries) == set(ids)
    assert all(set(states) == EVERY_TYPE for states in store.state.entries.values())
    assert store.opened == 4  # pages of 2, 2, 1, then the empty page that ends it
    assert await reconcile_all(store.uow, START, page_size=2) == 0


async def test_start_up_with_no_integrations_writes_nothing() -> None:
    store = FakeStore()
    assert await reconcile_all(store.uow, START) == 0
    assert store.state.entries == {} and store.opened == 1
