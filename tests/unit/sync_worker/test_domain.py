"""Pure sync logic: retry policy, run/attempt decisions, windows, token actions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from cmis_shared.events import ErrorClass, IntegrationStatus, Platform, SyncTrigger
from cmis_sync_worker.connectors.base import (
    AuthRevoked,
    ConfigError,
    PlatformTimeout,
    QuotaExhausted,
    RateLimited,
    TransientPlatformError,
)
from cmis_sync_worker.domain.failures import ErrorOrigin, Failure
from cmis_sync_worker.domain.retry import RetryPolicy
from cmis_sync_worker.domain.runs import (
    IntegrationState,
    RunSnapshot,
    RunStatus,
    StartDecision,
    decide_start,
    run_status_after,
    unavailable_reason,
)
from cmis_sync_worker.domain.tokens import TokenAction, token_action
from cmis_sync_worker.domain.window import account_today, sync_window

pytestmark = pytest.mark.unit

NOW = datetime(2025, 6, 15, 2, 30, tzinfo=UTC)
G = Platform.GOOGLE


# --- retry policy -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attempt", "delay"), [(1, 60), (2, 300)], ids=["first retry", "second retry"]
)
def test_backoff_follows_the_schedule(attempt: int, delay: int) -> None:
    decision = RetryPolicy().decide(
        Failure.from_connector(TransientPlatformError(G, "503")), attempt, NOW
    )
    assert decision.will_retry
    assert decision.next_attempt_at == NOW + timedelta(seconds=delay)


def test_last_attempt_never_retries() -> None:
    decision = RetryPolicy().decide(Failure.from_connector(PlatformTimeout(G, "t")), 3, NOW)
    assert decision.will_retry is False and decision.next_attempt_at is None


def test_platform_retry_after_longer_than_backoff_wins() -> None:
    failure = Failure.from_connector(RateLimited(G, "slow down", retry_after=120))
    assert RetryPolicy().decide(failure, 1, NOW).next_attempt_at == NOW + timedelta(seconds=120)
    short = Failure.from_connector(RateLimited(G, "slow down", retry_after=5))
    assert RetryPolicy().decide(short, 1, NOW).next_attempt_at == NOW + timedelta(seconds=60)


@pytest.mark.parametrize(
    "error",
    [AuthRevoked(G, "revoked"), ConfigError(G, "bad id"), QuotaExhausted(G, "daily quota")],
    ids=["auth", "bad request", "quota"],
)
def test_non_retryable_errors_do_not_retry(error: Exception) -> None:
    failure = Failure.from_connector(error)  # type: ignore[arg-type]
    assert RetryPolicy().decide(failure, 1, NOW).will_retry is False


def test_backoff_repeats_its_last_step_and_shrinks_for_tests() -> None:
    policy = RetryPolicy(backoff_seconds=(0.01,), max_attempts=5)
    failure = Failure.from_connector(TransientPlatformError(G, "503"))
    assert policy.decide(failure, 4, NOW).next_attempt_at == NOW + timedelta(seconds=0.01)
    with pytest.raises(ValueError):
        RetryPolicy(backoff_seconds=())


def test_failure_keeps_platform_words_and_origin() -> None:
    failure = Failure.from_connector(RateLimited(G, "x" * 900, retry_after=3))
    assert failure.error_class is ErrorClass.RATE_LIMITED
    assert failure.origin is ErrorOrigin.PLATFORM and len(failure.message) == 500
    assert Failure.rate_limited_locally(2).retryable


# --- runs -------------------------------------------------------------------------


def _run(status: str = "queued", attempt: int = 1, recorded: bool = False, finished: bool = False):
    return RunSnapshot(RunStatus(status), attempt, recorded, finished)


@pytest.mark.parametrize(
    ("snapshot", "requested", "expected"),
    [
        (None, 1, StartDecision.UNKNOWN_RUN),
        (_run(), 1, StartDecision.START),
        (_run("retrying", 1), 2, StartDecision.START),
        (_run("queued", 2), 2, StartDecision.START),
        (_run("running", 1, recorded=True), 1, StartDecision.RESUME),
        (_run("success", 1, recorded=True, finished=True), 1, StartDecision.ALREADY_FINISHED),
        (_run("retrying", 1, recorded=True, finished=True), 1, StartDecision.ALREADY_FINISHED),
        (_run("running", 2), 1, StartDecision.STALE),
        (_run("success", 1), 1, StartDecision.ALREADY_FINISHED),
    ],
)
def test_start_decision(snapshot, requested: int, expected: StartDecision) -> None:  # type: ignore[no-untyped-def]
    assert decide_start(snapshot, requested) is expected


def test_run_status_after_an_attempt() -> None:
    assert run_status_after(True, False) is RunStatus.SUCCESS
    assert run_status_after(False, True) is RunStatus.RETRYING
    assert run_status_after(False, False) is RunStatus.FAILED


def test_unavailable_integrations() -> None:
    paused = IntegrationState(IntegrationStatus.PAUSED)
    assert unavailable_reason(None, SyncTrigger.MANUAL) == "integration not found"
    assert unavailable_reason(IntegrationState(IntegrationStatus.DISCONNECTED), SyncTrigger.MANUAL)
    assert unavailable_reason(paused, SyncTrigger.SCHEDULED) == "integration is paused"
    assert unavailable_reason(paused, SyncTrigger.MANUAL) is None  # a manual sync may resume it
    assert (
        unavailable_reason(IntegrationState(IntegrationStatus.ACTIVE), SyncTrigger.SCHEDULED)
        is None
    )


# --- windows ----------------------------------------------------------------------


def test_window_is_the_lookback_in_the_accounts_own_calendar() -> None:
    # 02:30 UTC on 15 June is still 14 June in New York.
    window = sync_window(
        NOW, "America/New_York", lookback_days=7, posts_lookback_days=30,
        latest_stored_day=date(2025, 6, 13),
    )  # fmt: skip
    assert window.today == date(2025, 6, 14)
    assert (window.metrics_since, window.metrics_until) == (date(2025, 6, 8), date(2025, 6, 14))
    assert window.facts_since == date(2025, 5, 16)
    assert window.posts_since == NOW - timedelta(days=30)
    assert account_today(NOW, "Asia/Tokyo") == date(2025, 6, 15)


def test_requested_window_is_used_and_clamped_to_today() -> None:
    window = sync_window(NOW, "UTC", 7, 30, date(2025, 6, 1), date(2025, 7, 1))
    assert (window.metrics_since, window.metrics_until) == (date(2025, 6, 1), date(2025, 6, 15))
    assert window.posts_since == datetime(2025, 6, 1, tzinfo=UTC)
    inverted = sync_window(NOW, "UTC", 7, 30, date(2025, 6, 20), date(2025, 6, 10))
    assert inverted.metrics_since == inverted.metrics_until == date(2025, 6, 10)


def test_first_metrics_sync_backfills_and_a_gap_is_filled_within_the_backfill() -> None:
    first = sync_window(NOW, "UTC", 7, 30, latest_stored_day=None, backfill_days=90)
    assert (first.metrics_since, first.metrics_until) == (date(2025, 3, 18), date(2025, 6, 15))
    after_gap = sync_window(NOW, "UTC", 7, 30, latest_stored_day=date(2025, 5, 1))
    assert after_gap.metrics_since == date(2025, 5, 1)
    long_gap = sync_window(NOW, "UTC", 7, 30, latest_stored_day=date(2024, 1, 1), backfill_days=90)
    assert long_gap.metrics_since == date(2025, 3, 18)
    recent = sync_window(NOW, "UTC", 7, 30, latest_stored_day=date(2025, 6, 15))
    assert recent.metrics_since == date(2025, 6, 9)  # the lookback: recent days are revised


def test_unknown_time_zone_reads_as_utc() -> None:
    assert account_today(NOW, "Mars/Olympus") == date(2025, 6, 15)


# --- tokens -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expires_in", "can_refresh", "expected"),
    [
        (None, True, TokenAction.USE),
        (timedelta(hours=1), True, TokenAction.USE),
        (timedelta(minutes=4), True, TokenAction.REFRESH),
        (timedelta(minutes=-1), True, TokenAction.REFRESH),
        (timedelta(minutes=4), False, TokenAction.USE),
        (timedelta(minutes=-1), False, TokenAction.EXPIRED),
    ],
)
def test_token_action(
    expires_in: timedelta | None, can_refresh: bool, expected: TokenAction
) -> None:
    expires_at = None if expires_in is None else NOW + expires_in
    assert token_action(expires_at, NOW, timedelta(minutes=5), can_refresh=can_refresh) is expected
