"""``organization.settings_changed`` over the in-memory unit of work: the organization's
integrations are re-planned from their (changed) settings, once per event, and no other
organization's entries move."""

from __future__ import annotations

import dataclasses
from typing import Any
from uuid import uuid4

import pytest

from cmis_scheduler.domain.schedule import ScheduleDefaults, schedule_specs
from cmis_scheduler.handlers.integration_events import on_integration
from cmis_scheduler.handlers.org_settings import on_settings_changed
from cmis_shared.events import DataType, OrganizationSettingsChanged
from tests.unit.scheduler.fake_uow import FakeStore
from tests.unit.scheduler.fakes import START
from tests.unit.scheduler.test_event_handlers import connected, integration

pytestmark = pytest.mark.unit


def clock() -> Any:
    return START


def _periods(store: FakeStore, integration_id: Any) -> dict[DataType, tuple[int, bool]]:
    entries = store.state.entries[integration_id]
    return {kind: (state.period_seconds, state.enabled) for kind, state in entries.items()}


async def test_the_organizations_integrations_are_replanned_once_per_event() -> None:
    store = FakeStore()
    org_id = uuid4()
    mine = [integration(store, org_id=org_id), integration(store, org_id=org_id)]
    other = integration(store)
    for record in (*mine, other):
        await on_integration(connected(record), store.uow(), clock)
    before_other = dict(store.state.entries[other.id])
    new_settings = {"schedules": {"metrics_seconds": 900, "campaigns_seconds": 0}}
    for record in (*mine, other):  # the stored settings changed (the other org's too, unsent)
        view = store.state.views[record.id]
        specs = schedule_specs(ScheduleDefaults(), new_settings)
        store.state.views[record.id] = dataclasses.replace(view, specs=specs)
    event = OrganizationSettingsChanged(org_id=org_id, changed=["schedules"], timezone="UTC")

    written = await on_settings_changed(event, store.uow(), clock)
    again = await on_settings_changed(event, store.uow(), clock)  # redelivered

    assert written == 4  # metrics re-timed and campaigns switched off, for both
    assert again == 0
    for record in mine:
        assert _periods(store, record.id) == {
            DataType.METRICS: (900, True),
            DataType.CAMPAIGNS: (14400, False),
            DataType.ALL: (86400, True),
        }
    assert store.state.entries[other.id] == before_other
