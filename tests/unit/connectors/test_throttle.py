"""Reading the platforms' limit signals."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmis_sync_worker.connectors.throttle import (
    epoch_reset_seconds,
    google_duration_seconds,
    meta_regain_access_seconds,
    meta_usage_fraction,
    remaining_fraction_used,
    retry_after_seconds,
    slowdown_seconds,
)

pytestmark = pytest.mark.unit
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def test_retry_after_as_seconds_or_http_date() -> None:
    assert retry_after_seconds("30", NOW) == 30
    assert retry_after_seconds("Wed, 01 May 2024 12:01:00 GMT", NOW) == 60
    assert retry_after_seconds("soon", NOW) is None
    assert retry_after_seconds(None, NOW) is None


def test_google_durations() -> None:
    assert google_duration_seconds("30s") == 30
    assert google_duration_seconds("1.5s") == 1.5
    assert google_duration_seconds(30) is None


def test_x_reset_epoch() -> None:
    assert epoch_reset_seconds(str(int(NOW.timestamp()) + 90), NOW) == 90
    assert epoch_reset_seconds("garbage", NOW) is None


def test_meta_usage_takes_the_highest_of_all_headers() -> None:
    headers = {
        "x-app-usage": json.dumps({"call_count": 12, "total_cputime": 3, "total_time": 4}),
        "x-ad-account-usage": json.dumps({"acc_id_util_pct": 40.5}),
        "x-business-use-case-usage": json.dumps(
            {
                "123": [
                    {
                        "type": "ads_insights",
                        "call_count": 93,
                        "total_cputime": 1,
                        "total_time": 1,
                        "estimated_time_to_regain_access": 7,
                    }
                ]
            }
        ),
    }
    assert meta_usage_fraction(headers) == pytest.approx(0.93)
    assert meta_regain_access_seconds(headers) == 420


def test_meta_usage_ignores_garbage() -> None:
    assert meta_usage_fraction({"x-app-usage": "{not json"}) == 0.0
    assert meta_regain_access_seconds({}) is None


def test_x_usage_from_remaining() -> None:
    assert remaining_fraction_used("2000", "100") == pytest.approx(0.95)
    assert remaining_fraction_used(None, "1") == 0.0


@given(st.floats(0, 1), st.floats(0.5, 0.99), st.floats(0, 30))
def test_slowdown_is_zero_below_threshold_and_bounded(
    usage: float, threshold: float, max_delay: float
) -> None:
    delay = slowdown_seconds(usage, threshold, max_delay)
    assert 0 <= delay <= max_delay
    if usage < threshold:
        assert delay == 0
