"""Failed authentications per client address: refused past the limit until the window ends."""

from __future__ import annotations

from cmis_dashboard_api.domain.attempts import FailedAttempts


def test_an_address_past_the_limit_waits_for_its_window() -> None:
    attempts = FailedAttempts(limit=3, window_seconds=60)
    for second in range(3):
        assert attempts.retry_after("10.0.0.1", float(second)) is None
        attempts.record("10.0.0.1", float(second))
    assert attempts.retry_after("10.0.0.1", 10.0) == 50
    assert attempts.retry_after("10.0.0.2", 10.0) is None  # other addresses unaffected
    assert attempts.retry_after("10.0.0.1", 60.0) is None  # a new window


def test_the_number_of_addresses_kept_is_bounded() -> None:
    attempts = FailedAttempts(limit=1, window_seconds=60, max_keys=2)
    for address in ("a", "b", "c"):
        attempts.record(address, 0.0)
    assert attempts.retry_after("a", 1.0) is None  # forgotten, oldest first
    assert attempts.retry_after("c", 1.0) == 59
