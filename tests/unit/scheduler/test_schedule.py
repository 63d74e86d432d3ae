from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmis_scheduler.domain.schedule import (
    ScheduleDefaults,
    ScheduleSpec,
    next_due_at,
    schedule_specs,
)
from cmis_shared.events import DataType

pytestmark = pytest.mark.unit

BERLIN = ZoneInfo("Europe/Berlin")
HOURLY = ScheduleSpec(DataType.METRICS, 3600, 3600)
DAILY_2AM = ScheduleSpec(DataType.ALL, 86400, 3600, time(2, 0))


def test_defaults_give_hourly_metrics_four_hourly_campaigns_and_a_daily_full_sync() -> None:
    specs = schedule_specs(ScheduleDefaults(), None)
    assert specs[DataType.METRICS].period_seconds == 3600
    assert specs[DataType.CAMPAIGNS].period_seconds == 4 * 3600
    assert specs[DataType.ALL] == ScheduleSpec(DataType.ALL, 86400, 3600, time(2, 0))


def test_org_settings_override_periods_switch_off_and_ignore_garbage() -> None:
    org = {"schedules": {"metrics_seconds": 1800, "campaigns_seconds": 0,
                         "all_seconds": "soon", "all_at": "03:30"}}  # fmt: skip
    specs = schedule_specs(ScheduleDefaults(), org)
    assert specs[DataType.METRICS].period_seconds == 1800
    assert DataType.CAMPAIGNS not in specs
    assert specs[DataType.ALL].period_seconds == 86400
    assert specs[DataType.ALL].anchor == time(3, 30)
    assert schedule_specs(ScheduleDefaults(), {"schedules": "nope"}) == schedule_specs(
        ScheduleDefaults(), {}
    )


def test_epoch_slots_are_period_apart_and_shifted_by_the_offset() -> None:
    after = datetime(2025, 3, 1, 12, 10, tzinfo=UTC)
    assert next_due_at(HOURLY, 900, UTC, after) == datetime(2025, 3, 1, 12, 15, tzinfo=UTC)
    assert next_due_at(HOURLY, 300, UTC, after) == datetime(2025, 3, 1, 13, 5, tzinfo=UTC)


def test_a_long_downtime_yields_the_next_slot_only_not_every_missed_one() -> None:
    after = datetime(2025, 3, 4, 12, 10, tzinfo=UTC)  # days after the last slot
    assert next_due_at(HOURLY, 0, UTC, after) == datetime(2025, 3, 4, 13, 0, tzinfo=UTC)


def test_full_sync_at_two_in_the_org_time_zone_across_daylight_saving() -> None:
    before_switch = datetime(2025, 3, 29, 12, 0, tzinfo=UTC)  # CET, UTC+1
    assert next_due_at(DAILY_2AM, 0, BERLIN, before_switch) == datetime(
        2025, 3, 30, 1, 0, tzinfo=UTC
    )  # 02:00 does not exist that night: it falls on 03:00 CEST = 01:00 UTC
    after_switch = datetime(2025, 3, 31, 12, 0, tzinfo=UTC)  # CEST, UTC+2
    assert next_due_at(DAILY_2AM, 600, BERLIN, after_switch) == datetime(
        2025, 4, 1, 0, 10, tzinfo=UTC
    )


@given(
    period=st.integers(1, 3 * 86400),
    offset_share=st.floats(0, 0.999),
    after=st.datetimes(datetime(2020, 1, 1), datetime(2030, 1, 1), timezones=st.just(UTC)),
)
def test_epoch_next_slot_is_within_one_period_and_on_the_grid(
    period: int, offset_share: float, after: datetime
) -> None:
    spec = ScheduleSpec(DataType.METRICS, period, period)
    offset = int(offset_share * period)
    due = next_due_at(spec, offset, UTC, after)
    assert after < due <= after + timedelta(seconds=period)
    assert (due - datetime(1970, 1, 1, tzinfo=UTC) - timedelta(seconds=offset)) % timedelta(
        seconds=period
    ) == timedelta(0)


@given(
    period=st.sampled_from([60, 3600, 6 * 3600, 86400]),
    zone_name=st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"]),
    after=st.datetimes(datetime(2024, 1, 1), datetime(2026, 1, 1), timezones=st.just(UTC)),
)
def test_anchored_next_slot_is_after_and_within_a_day(
    period: int, zone_name: str, after: datetime
) -> None:
    spec = ScheduleSpec(DataType.ALL, period, min(period, 3600), time(2, 0))
    due = next_due_at(spec, 59, ZoneInfo(zone_name), after)
    assert after < due <= after + timedelta(seconds=period, hours=1)
