import uuid
from collections import Counter
from datetime import timedelta

import pytest

from cmis_scheduler.domain.catch_up import catch_up_at, is_missed
from cmis_scheduler.domain.schedule import ScheduleSpec
from cmis_scheduler.domain.stagger import offset_fraction, offset_seconds
from cmis_shared.events import DataType
from tests.unit.scheduler.fakes import START

pytestmark = pytest.mark.unit


def test_offset_is_stable_and_differs_per_data_type() -> None:
    integration = uuid.UUID("6f1c2f0e-3a64-4d0b-9d6e-1a2b3c4d5e6f")
    assert offset_fraction(integration, "metrics") == offset_fraction(integration, "metrics")
    assert offset_fraction(integration, "metrics") != offset_fraction(integration, "campaigns")


def test_offsets_spread_evenly_across_the_period() -> None:
    spec = ScheduleSpec(DataType.METRICS, 3600, 3600)
    offsets = [offset_seconds(spec, uuid.uuid4()) for _ in range(20_000)]
    assert all(0 <= offset < 3600 for offset in offsets)
    per_six_minutes = Counter(offset // 360 for offset in offsets)
    assert len(per_six_minutes) == 10
    assert all(1700 <= count <= 2300 for count in per_six_minutes.values()), per_six_minutes


def test_missed_means_overdue_by_more_than_the_threshold() -> None:
    threshold = timedelta(minutes=5)
    assert is_missed(START - timedelta(minutes=6), START, threshold)
    assert not is_missed(START - timedelta(minutes=4), START, threshold)


def test_catch_up_spreads_missed_entries_over_the_window_not_all_at_once() -> None:
    times = [
        catch_up_at(START, offset_fraction(uuid.uuid4(), "metrics"), 3600, 900) for _ in range(9000)
    ]
    assert min(times) >= START
    assert max(times) < START + timedelta(seconds=900)
    per_minute = Counter(int((time - START).total_seconds() // 60) for time in times)
    assert max(per_minute.values()) < 2 * 9000 / 15


def test_catch_up_window_never_exceeds_the_period() -> None:
    assert catch_up_at(START, 0.99, 60, 900) < START + timedelta(seconds=60)
    with pytest.raises(ValueError):
        catch_up_at(START, 1.0, 60, 900)
