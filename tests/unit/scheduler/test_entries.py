import uuid
from collections.abc import Mapping
from datetime import UTC, timedelta

import pytest

from cmis_scheduler.domain.entries import EntryState, IntegrationView, plan_entries
from cmis_scheduler.domain.schedule import ScheduleDefaults, schedule_specs
from cmis_shared.events import DataType
from tests.unit.scheduler.fakes import START

pytestmark = pytest.mark.unit


def view(active: bool = True, org_settings: Mapping[str, object] | None = None) -> IntegrationView:
    return IntegrationView(
        integration_id=uuid.UUID(int=42), org_id=uuid.UUID(int=7), platform="meta",
        active=active, zone=UTC, specs=schedule_specs(ScheduleDefaults(), org_settings),
    )  # fmt: skip


def as_existing(states: list[EntryState]) -> dict[DataType, EntryState]:
    return {state.data_type: state for state in states}


def test_an_active_integration_gets_three_entries_due_within_their_periods() -> None:
    planned = plan_entries(view(), {}, START)
    assert {state.data_type for state in planned} == {
        DataType.METRICS, DataType.CAMPAIGNS, DataType.ALL,
    }  # fmt: skip
    for state in planned:
        assert state.enabled
        assert START < state.next_due_at <= START + timedelta(seconds=state.period_seconds)


def test_planning_again_from_the_same_facts_changes_nothing() -> None:
    first = plan_entries(view(), {}, START)
    assert plan_entries(view(), as_existing(first), START + timedelta(minutes=3)) == []


def test_an_overdue_entry_keeps_its_due_time() -> None:
    existing = as_existing(plan_entries(view(), {}, START - timedelta(hours=5)))
    assert plan_entries(view(), existing, START) == []


def test_an_entry_just_dispatched_is_not_pulled_back_by_a_restart() -> None:
    """A dispatch moves an entry at least half a period on, which can skip its next slot
    (see ``dispatch.advance``). A replica restarting (reconcile) must keep that, or the
    entry would go out again within half a period of its last dispatch."""
    planned = plan_entries(view(), {}, START)
    dispatched = {
        state.data_type: EntryState(
            state.data_type,
            state.period_seconds,
            state.offset_seconds,
            state.next_due_at + timedelta(seconds=state.period_seconds),
            True,
        )
        for state in planned
    }
    assert plan_entries(view(), dispatched, START) == []


def test_paused_integration_entries_are_disabled_and_reenabled_at_the_next_slot() -> None:
    existing = as_existing(plan_entries(view(), {}, START))
    disabled = plan_entries(view(active=False), existing, START)
    assert len(disabled) == 3 and not any(state.enabled for state in disabled)
    later = START + timedelta(days=2)
    resumed = plan_entries(view(), as_existing(disabled), later)
    assert len(resumed) == 3 and all(state.next_due_at > later for state in resumed)


def test_an_org_period_change_replans_and_a_switched_off_schedule_is_disabled() -> None:
    existing = as_existing(plan_entries(view(), {}, START))
    org = {"schedules": {"metrics_seconds": 900, "campaigns_seconds": 0}}
    changed = as_existing(plan_entries(view(org_settings=org), existing, START))
    assert set(changed) == {DataType.METRICS, DataType.CAMPAIGNS}
    assert changed[DataType.METRICS].period_seconds == 900
    assert changed[DataType.METRICS].next_due_at <= START + timedelta(seconds=900)
    assert not changed[DataType.CAMPAIGNS].enabled
