"""Organization settings as pure logic: the values shown are those the services apply
(their own rules for stored values, their own defaults), a patch changes only what it names,
and the membership rule keeps an admin."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest

from cmis_alerting.domain.thresholds import Thresholds
from cmis_alerting.settings import AlertingSettings
from cmis_dashboard_api.domain.apply import apply_event
from cmis_dashboard_api.domain.members import leaves_no_admin
from cmis_dashboard_api.domain.org_settings import (
    ALERT_DEFAULTS,
    SCHEDULE_DEFAULTS,
    OrgSettings,
    TriggerLimit,
    apply_patch,
    trigger_limit,
    view,
)
from cmis_dashboard_api.domain.roles import Role
from cmis_scheduler.domain.schedule import ScheduleDefaults, schedule_specs
from cmis_scheduler.settings import SchedulerSettings
from cmis_shared.events import DataType, OrganizationSettingsChanged
from tests.unit.dashboard_api.factories import T0, state

pytestmark = pytest.mark.unit
TRIGGERS = TriggerLimit(30, 60)


def test_the_defaults_shown_are_the_services_own() -> None:
    alerting = AlertingSettings.model_fields
    assert {
        name: alerting[name].default
        for name in (
            "budget_warning_pct",
            "budget_critical_pct",
            "token_warning_days",
            "token_critical_hours",
        )
    } == ALERT_DEFAULTS
    scheduler = SchedulerSettings.model_fields
    assert {
        "metrics_seconds": scheduler["metrics_period_seconds"].default,
        "campaigns_seconds": scheduler["campaigns_period_seconds"].default,
        "all_seconds": scheduler["full_sync_period_seconds"].default,
        "all_at": scheduler["full_sync_at"].default.strftime("%H:%M"),
    } == SCHEDULE_DEFAULTS


def test_stored_values_a_service_would_ignore_are_shown_as_the_default_it_applies() -> None:
    overrides = {
        "alerts": {
            "budget_warning_pct": True,
            "budget_critical_pct": "110",
            "token_warning_days": 0,
        },
        "schedules": {"metrics_seconds": -5, "campaigns_seconds": 0, "all_at": "3 am"},
        "manual_triggers": {"limit": 0, "window_seconds": 120},
    }
    shown = view(OrgSettings("UTC", None, overrides), None, TRIGGERS)

    thresholds = Thresholds().with_overrides(overrides)
    assert shown["alerts"]["budget_warning_pct"] == thresholds.budget_warning_pct == 90
    assert shown["alerts"]["budget_critical_pct"] == thresholds.budget_critical_pct == 110
    assert shown["alerts"]["token_warning_days"] == 7
    assert thresholds.token_warning == timedelta(days=7)
    specs = schedule_specs(ScheduleDefaults(), overrides)
    assert shown["schedules"]["metrics_seconds"] == specs[DataType.METRICS].period_seconds
    assert shown["schedules"]["campaigns_seconds"] == 0 and DataType.CAMPAIGNS not in specs
    assert shown["schedules"]["all_at"] == "02:00"
    assert shown["manual_triggers"] == {"limit": 30, "window_seconds": 120}
    assert trigger_limit(overrides, TRIGGERS) == TriggerLimit(30, 120)
    assert trigger_limit({}, TRIGGERS) is None  # none of its own: the process's limiter
    assert shown["overridden"] == [
        "alerts.budget_critical_pct",
        "schedules.campaigns_seconds",
        "manual_triggers.window_seconds",
    ]
    assert isinstance(shown["alerts"]["budget_critical_pct"], Decimal)


def test_a_patch_changes_only_what_it_names_and_records_before_and_after() -> None:
    current = OrgSettings(
        "UTC",
        None,
        {"alerts": {"budget_warning_pct": 80}, "schedules": {"all_at": "03:00"}, "other": 1},
    )
    change = apply_patch(
        current,
        {
            "timezone": "Europe/Berlin",
            "alerts": {"budget_warning_pct": None, "token_warning_days": 14},
            "schedules": {"all_at": "03:00"},  # unchanged: not recorded
        },
    )
    assert change.settings == OrgSettings(
        "Europe/Berlin",
        None,
        {"alerts": {"token_warning_days": 14}, "schedules": {"all_at": "03:00"}, "other": 1},
    )
    assert change.changed == ["alerts", "timezone"]
    assert change.before == {
        "timezone": "UTC",
        "alerts.budget_warning_pct": 80,
        "alerts.token_warning_days": None,
    }
    assert change.after == {
        "timezone": "Europe/Berlin",
        "alerts.budget_warning_pct": None,
        "alerts.token_warning_days": 14,
    }


def test_null_for_a_group_or_the_time_zone_returns_to_the_defaults() -> None:
    current = OrgSettings("Asia/Tokyo", "EUR", {"schedules": {"metrics_seconds": 900}})
    change = apply_patch(current, {"timezone": None, "currency": None, "schedules": None})
    assert change.settings == OrgSettings("UTC", None, {})
    assert apply_patch(change.settings, {"schedules": None}).after == {}


def test_only_a_change_that_would_leave_no_admin_is_refused() -> None:
    alice, bob = uuid.uuid4(), uuid.uuid4()
    one_admin = {alice: Role.ADMIN, bob: Role.MEMBER}
    assert leaves_no_admin(one_admin, alice, None)
    assert leaves_no_admin(one_admin, alice, Role.MEMBER)
    assert not leaves_no_admin(one_admin, alice, Role.ADMIN)
    assert not leaves_no_admin(one_admin, bob, None)
    assert not leaves_no_admin({alice: Role.ADMIN, bob: Role.ADMIN}, alice, None)


def test_the_view_takes_the_newest_time_zone_only() -> None:
    s = state()
    newer = OrganizationSettingsChanged(
        org_id=s.org_id, changed=["timezone"], timezone="Asia/Tokyo", occurred_at=T0
    )
    older = OrganizationSettingsChanged(
        org_id=s.org_id,
        changed=["timezone"],
        timezone="Europe/Berlin",
        occurred_at=T0 - timedelta(seconds=1),
    )
    assert apply_event(s, newer) == "settings"
    assert apply_event(s, older) is None
    assert s.timezone == "Asia/Tokyo"
