"""One group's decision at ``now``: its channel's quiet hours (in the organization's time
zone) and the organization's silences, then the grouping rule."""

from __future__ import annotations

from datetime import datetime

from cmis_notifier.domain.grouping import Flush, GroupPolicy, plan_flush
from cmis_notifier.domain.quiet_hours import zone_of
from cmis_notifier.domain.records import DueGroup
from cmis_notifier.domain.silences import is_silenced


def decide(group: DueGroup, policy: GroupPolicy, now: datetime) -> Flush | None:
    """The group's quiet hours and silences, then the grouping decision."""
    quiet_hours = group.route.quiet_hours
    quiet = quiet_hours is not None and quiet_hours.is_quiet(now, zone_of(group.timezone))
    return plan_flush(
        group.group,
        group.alerts,
        policy,
        now,
        quiet=quiet,
        silenced=lambda a: is_silenced(group.silences, a.subject_id, a.alert_type, now),
    )
