from datetime import timedelta

import pytest

from cmis_scheduler.domain.health import (
    HealthPolicy,
    is_health_pause,
    pause_message,
    should_pause,
)
from cmis_scheduler.domain.retry import retry_is_current
from tests.unit.scheduler.fakes import START

pytestmark = pytest.mark.unit

POLICY = HealthPolicy(max_failures=5, min_span=timedelta(days=1))


def test_five_final_failures_over_a_day_pause() -> None:
    assert should_pause(POLICY, 5, START - timedelta(days=1), START)
    assert should_pause(POLICY, 9, START - timedelta(days=3), START)


def test_fewer_failures_or_a_shorter_span_do_not_pause() -> None:
    assert not should_pause(POLICY, 4, START - timedelta(days=2), START)
    assert not should_pause(POLICY, 20, START - timedelta(hours=23), START)
    assert not should_pause(POLICY, 5, None, START)


def test_only_a_health_pause_is_lifted_by_a_success() -> None:
    assert is_health_pause("paused", pause_message(5))
    assert not is_health_pause("paused", "paused by a user")
    assert not is_health_pause("active", pause_message(5))


def test_a_retry_stands_only_while_its_run_waits_for_it() -> None:
    assert retry_is_current("retrying", 1, 2)
    assert not retry_is_current("retrying", 2, 2)  # already went out
    assert not retry_is_current("success", 1, 2)
    assert not retry_is_current("queued", 1, 2)
