"""Grouping, quiet hours and silences over a ManualClock: pure decisions, no I/O."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta

import pytest

from cmis_notifier.domain.decide import decide
from cmis_notifier.domain.grouping import (
    BufferedAlert,
    Group,
    GroupPolicy,
    NotificationKind,
    plan_flush,
)
from cmis_notifier.domain.quiet_hours import QuietHours, zone_of
from cmis_notifier.domain.records import DueGroup
from cmis_notifier.domain.routing import Route
from cmis_notifier.domain.silences import Silence, is_silenced
from cmis_shared.clock import ManualClock
from cmis_shared.events import AlertType, Severity

pytestmark = pytest.mark.unit

START = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
POLICY = GroupPolicy(
    group_wait=timedelta(seconds=30),
    group_interval=timedelta(minutes=5),
    repeat_interval=timedelta(hours=4),
    resolve_wait=timedelta(seconds=5),
)


def alert(
    at: datetime,
    *,
    severity: Severity = Severity.WARNING,
    firing: bool = True,
    pending: bool = True,
    subject: uuid.UUID | None = None,
) -> BufferedAlert:
    return BufferedAlert(
        uuid.uuid4(), AlertType.BUDGET, subject or uuid.uuid4(), severity, firing, pending, at
    )


def test_ten_budget_alerts_arriving_together_leave_as_one_message_after_group_wait() -> None:
    clock = ManualClock(START)
    alerts = []
    for _ in range(10):
        alerts.append(alert(clock()))
        clock.advance(timedelta(seconds=1))
    group = Group(created_at=START, last_flush_at=None)

    assert plan_flush(group, alerts, POLICY, clock()) is None  # still in group_wait
    clock.set(START + POLICY.group_wait)
    flush = plan_flush(group, alerts, POLICY, clock())

    assert flush is not None
    assert flush.kind is NotificationKind.FIRING
    assert len(flush.firing) == 10 and not flush.resolved
    assert flush.restarts_interval


def test_a_change_after_a_message_waits_for_the_group_interval() -> None:
    clock = ManualClock(START)
    sent = alert(START, pending=False)
    group = Group(created_at=START, last_flush_at=clock.advance(timedelta(seconds=30)))
    new = alert(clock.advance(timedelta(seconds=10)))

    assert plan_flush(group, [sent, new], POLICY, clock()) is None
    clock.set(START + timedelta(seconds=30) + POLICY.group_interval)
    flush = plan_flush(group, [sent, new], POLICY, clock())

    assert flush is not None and flush.kind is NotificationKind.FIRING
    assert {a.alert_id for a in flush.firing} == {sent.alert_id, new.alert_id}


def test_a_resolution_is_not_held_back_by_the_group_interval() -> None:
    clock = ManualClock(START)
    last_flush = START + timedelta(seconds=30)
    group = Group(created_at=START, last_flush_at=last_flush)
    clock.set(last_flush + timedelta(seconds=10))  # long before the group interval ends
    resolved = alert(clock(), firing=False)

    clock.advance(POLICY.resolve_wait)
    flush = plan_flush(group, [resolved], POLICY, clock())

    assert flush is not None and flush.kind is NotificationKind.RESOLVED
    assert flush.resolved == (resolved,) and not flush.restarts_interval


def test_unchanged_firing_alerts_repeat_after_the_repeat_interval_only() -> None:
    last_flush = START
    group = Group(created_at=START, last_flush_at=last_flush)
    firing = alert(START, pending=False)

    assert plan_flush(group, [firing], POLICY, START + POLICY.group_interval) is None
    flush = plan_flush(group, [firing], POLICY, START + POLICY.repeat_interval)

    assert flush is not None and flush.kind is NotificationKind.REPEAT


def test_quiet_hours_hold_warnings_until_they_end_and_critical_alerts_bypass_them() -> None:
    zone = zone_of("Europe/Paris")
    quiet = QuietHours(time(22, 0), time(7, 0))
    night = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)  # 00:30 in Paris
    clock = ManualClock(night)
    warning, critical = alert(night), alert(night, severity=Severity.CRITICAL)
    group = Group(created_at=night - POLICY.group_wait, last_flush_at=None)

    assert quiet.is_quiet(clock(), zone)
    flush = plan_flush(group, [warning, critical], POLICY, clock(), quiet=True)
    assert flush is not None and flush.firing == (critical,)

    clock.set(quiet.ends_after(night, zone))
    assert clock() == datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # 07:00 in Paris
    assert not quiet.is_quiet(clock(), zone)
    later = plan_flush(group, [warning], POLICY, clock(), quiet=False)
    assert later is not None and later.firing == (warning,)


def test_quiet_hours_within_one_day_and_across_a_dst_change() -> None:
    zone = zone_of("America/New_York")
    lunch = QuietHours(time(12, 0), time(13, 0))
    assert lunch.is_quiet(datetime(2026, 7, 1, 16, 30, tzinfo=UTC), zone)  # 12:30 EDT
    assert not lunch.is_quiet(datetime(2026, 12, 1, 16, 30, tzinfo=UTC), zone)  # 11:30 EST
    night = QuietHours(time(22, 0), time(7, 0))
    # The night DST ends (1 Nov 2026): 07:00 EST is 12:00 UTC, not 11:00.
    ends = night.ends_after(datetime(2026, 11, 1, 5, 0, tzinfo=UTC), zone)
    assert ends == datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def test_a_silence_covers_its_subject_until_it_expires() -> None:
    clock = ManualClock(START)
    subject = uuid.uuid4()
    silence = Silence(subject, None, START + timedelta(hours=1))
    silenced, other = alert(START, subject=subject), alert(START)
    group = Group(created_at=START - POLICY.group_wait, last_flush_at=None)

    def muted(a: BufferedAlert) -> bool:
        return is_silenced([silence], a.subject_id, a.alert_type, clock())

    flush = plan_flush(group, [silenced, other], POLICY, clock(), silenced=muted)
    assert flush is not None and flush.firing == (other,)
    clock.advance(timedelta(hours=1))
    again = plan_flush(group, [silenced], POLICY, clock(), silenced=muted)
    assert again is not None and again.firing == (silenced,)


def test_a_silence_of_one_alert_type_leaves_the_subjects_other_alerts() -> None:
    subject = uuid.uuid4()
    silence = Silence(subject, AlertType.TOKEN_EXPIRY, START + timedelta(hours=1))
    assert is_silenced([silence], subject, AlertType.TOKEN_EXPIRY, START)
    assert not is_silenced([silence], subject, AlertType.BUDGET, START)


def test_decide_applies_the_channels_quiet_hours_in_the_orgs_time_zone() -> None:
    night = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)  # 00:30 in Paris, 18:30 in New York
    warning = alert(night)
    route = Route(quiet_hours=QuietHours(time(22, 0), time(7, 0)))

    def group_in(zone: str) -> DueGroup:
        return DueGroup(
            channel_id=uuid.uuid4(), org_id=uuid.uuid4(), group_key="budget",
            group=Group(night - POLICY.group_wait, None), route=route, timezone=zone,
            alerts=[warning], payloads={},
        )  # fmt: skip

    assert decide(group_in("Europe/Paris"), POLICY, night) is None
    assert decide(group_in("America/New_York"), POLICY, night) is not None


def test_routes_take_their_alert_types_at_or_above_their_severity() -> None:
    route = Route.from_json({"alert_types": ["budget"], "min_severity": "critical"})
    assert route.takes(AlertType.BUDGET, Severity.CRITICAL)
    assert not route.takes(AlertType.BUDGET, Severity.WARNING)
    assert not route.takes(AlertType.SYNC_FAILURE, Severity.CRITICAL)
    assert Route.from_json({}).takes(AlertType.DEAD_LETTERS, Severity.WARNING)
