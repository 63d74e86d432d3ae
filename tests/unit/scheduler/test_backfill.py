"""Backfill windows in the scheduler, against in-memory fakes: choosing what goes out (a few
per integration, within the platform budget, never over it), and how outcomes advance a
backfill (counted once, retried as the window, finished, cancelled)."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID, uuid4

from cmis_scheduler.domain.backfill import (
    PendingWindow,
    Progress,
    after_failure,
    choose,
    settle,
    window_done,
    window_failed,
)
from cmis_scheduler.domain.budget import MICROS, RateBudget
from cmis_scheduler.domain.health import HealthPolicy
from cmis_scheduler.handlers.dispatch_backfill import BackfillDispatch
from cmis_scheduler.handlers.integration_events import on_integration
from cmis_scheduler.handlers.sync_outcomes import on_sync_completed, on_sync_failed
from cmis_shared.events import (
    BackfillProgressed,
    BackfillStatus,
    DataType,
    ErrorClass,
    IntegrationDisconnected,
    Platform,
    SyncCompleted,
    SyncFailed,
    SyncRequested,
    SyncTrigger,
)
from cmis_shared.statuses import WindowStatus
from tests.unit.scheduler.fake_backfills import Book, FakeBackfillBatch
from tests.unit.scheduler.fake_uow import FakeStore
from tests.unit.scheduler.fakes import START, FakeClock, FakeLimiter

POLICY = HealthPolicy(max_failures=2, min_span=timedelta(hours=1))
DAY = timedelta(days=1)


def _pending(integration_id: UUID, n: int) -> list[PendingWindow]:
    return [
        PendingWindow(uuid4(), uuid4(), uuid4(), integration_id, Platform.META, DataType.METRICS,
                      date(2025, 1, 1), date(2025, 1, 30), 0, uuid4(), "ana")
        for _ in range(n)
    ]  # fmt: skip


def _spans(n: int, days: int = 30) -> list[tuple[date, date]]:
    end = date(2025, 12, 31)
    return [(end - DAY * (days * (i + 1) - 1), end - DAY * days * i) for i in range(n)]


def test_choose_keeps_a_few_per_integration_and_the_room() -> None:
    a, b = uuid4(), uuid4()
    pending = _pending(a, 5) + _pending(b, 5)
    chosen = choose(pending, {a: 1}, per_integration=2, room=10)
    assert [w.integration_id for w in chosen] == [a, b, b]
    assert len(choose(pending, {}, per_integration=5, room=3)) == 3


def test_progress_settles_once_every_window_ended() -> None:
    running = Progress(BackfillStatus.RUNNING, windows_total=2)
    one = window_done(running, rows=10)
    assert one.status is BackfillStatus.RUNNING and one.rows_stored == 10
    assert window_done(one, 5).status is BackfillStatus.COMPLETED
    assert window_failed(one).status is BackfillStatus.COMPLETED_WITH_FAILURES
    cancelled = Progress(BackfillStatus.CANCELLED, 2, windows_cancelled=1)
    assert settle(window_done(cancelled, 3)).status is BackfillStatus.CANCELLED


def test_a_retryable_failure_waits_for_its_next_attempt_unless_cancelled() -> None:
    later = START + timedelta(minutes=5)
    assert after_failure(BackfillStatus.RUNNING, True, later, START).retry_at == later
    assert after_failure(BackfillStatus.RUNNING, False, None, START).retry_at is None
    assert after_failure(BackfillStatus.CANCELLED, True, later, START).cancelled


def _dispatcher(book: Book, clock: FakeClock, per_minute: int, per_integration: int = 2):  # type: ignore[no-untyped-def]
    limiter = FakeLimiter(clock, {p: RateBudget(per_minute, MICROS) for p in Platform})
    return BackfillDispatch(lambda: FakeBackfillBatch(book), limiter, clock, 1000, per_integration)


async def test_windows_go_out_a_few_per_integration_with_their_dates() -> None:
    clock, book = FakeClock(), Book()
    a, b = uuid4(), uuid4()
    book.add_backfill(a, Platform.META, _spans(12))
    book.add_backfill(b, Platform.META, _spans(12))

    sent = await _dispatcher(book, clock, per_minute=600).run_platform(Platform.META)

    assert sent == 4
    requests = book.requested
    assert {r.integration_id for r in requests} == {a, b}
    assert all(r.trigger is SyncTrigger.BACKFILL and r.window_start and r.window_end
               for r in requests)  # fmt: skip
    assert max(r.window_end for r in requests if r.integration_id == a) == date(2025, 12, 31)
    # Nothing more while those are in flight.
    assert await _dispatcher(book, clock, per_minute=600).run_platform(Platform.META) == 0


async def test_backfill_never_goes_over_the_platform_budget() -> None:
    clock, book = FakeClock(), Book()
    for _ in range(50):
        book.add_backfill(uuid4(), Platform.TIKTOK, _spans(3))
    dispatch = _dispatcher(book, clock, per_minute=10, per_integration=3)
    sent_at = []
    for _ in range(600):  # ten minutes, a tick a second
        for _ in range(await dispatch.run_platform(Platform.TIKTOK)):
            sent_at.append(clock())
        clock.advance(1)
    assert 95 <= len(sent_at) <= 100  # about 10 a minute for ten minutes, never more
    for i, at in enumerate(sent_at):  # no 60-second window holds more than 10
        assert sum(1 for other in sent_at[i:] if other - at < timedelta(seconds=60)) <= 10


def _completed(request: SyncRequested, rows: int) -> SyncCompleted:
    return SyncCompleted(
        org_id=request.org_id, correlation_id=request.correlation_id, run_id=request.run_id,
        integration_id=request.integration_id, platform=request.platform,
        data_type=request.data_type, trigger=SyncTrigger.BACKFILL, attempt=request.attempt,
        started_at=START, finished_at=START, duration_ms=0, counts={"metrics": rows},
    )  # fmt: skip


def _failed(request: SyncRequested, will_retry: bool) -> SyncFailed:
    return SyncFailed(
        org_id=request.org_id, correlation_id=request.correlation_id, run_id=request.run_id,
        integration_id=request.integration_id, platform=request.platform,
        data_type=request.data_type, trigger=SyncTrigger.BACKFILL, attempt=request.attempt,
        error_class=ErrorClass.PLATFORM_ERROR, message="boom", retryable=will_retry,
        will_retry=will_retry, next_attempt_at=START + timedelta(minutes=1) if will_retry else None,
    )  # fmt: skip


async def _send(store: FakeStore, clock: FakeClock) -> list[SyncRequested]:
    before = len(store.state.book.requested)
    await _dispatcher(store.state.book, clock, per_minute=600).run_platform(Platform.META)
    return store.state.book.requested[before:]


async def test_outcomes_advance_the_backfill_once_each_and_finish_it() -> None:
    clock, store = FakeClock(), FakeStore()
    backfill = store.state.book.add_backfill(uuid4(), Platform.META, _spans(3))
    first, second = await _send(store, clock)

    done = _completed(first, rows=40)
    await on_sync_completed(done, store.uow(), clock)
    await on_sync_completed(done, store.uow(), clock)  # a redelivery counts nothing
    await on_sync_completed(_completed(second, rows=2), store.uow(), clock)
    [third] = await _send(store, clock)
    await on_sync_completed(_completed(third, rows=8), store.uow(), clock)

    progress = store.state.book.progress[backfill]
    assert (progress.status, progress.windows_done, progress.rows_stored) == (
        BackfillStatus.COMPLETED, 3, 50,
    )  # fmt: skip
    events = store.events(BackfillProgressed)
    assert [e.windows_done for e in events] == [1, 2, 3]  # type: ignore[attr-defined]
    assert events[-1].status is BackfillStatus.COMPLETED  # type: ignore[attr-defined]
    assert store.state.retries == {}


async def test_a_failed_attempt_is_retried_as_its_window_and_a_final_one_is_counted() -> None:
    clock, store = FakeClock(), FakeStore()
    backfill = store.state.book.add_backfill(uuid4(), Platform.META, _spans(1))
    [first] = await _send(store, clock)

    await on_sync_failed(_failed(first, will_retry=True), store.uow(), POLICY, clock)

    assert store.state.retries == {}  # not a retry entry: the window carries its dates
    assert store.state.book.closed_runs == [first.run_id]
    assert store.state.book.progress[backfill].windows_failed == 0
    assert await _send(store, clock) == []  # not before its next attempt time
    clock.advance(61)
    [again] = await _send(store, clock)
    assert (again.attempt, again.window_start) == (2, first.window_start)

    await on_sync_failed(_failed(again, will_retry=False), store.uow(), POLICY, clock)

    progress = store.state.book.progress[backfill]
    assert progress.status is BackfillStatus.COMPLETED_WITH_FAILURES
    assert progress.windows_failed == 1
    assert store.state.book.of(backfill, WindowStatus.FAILED)
    # Backfill failures do not count toward pausing the integration.
    assert store.state.integrations == {}


async def test_a_disconnected_account_s_pending_windows_are_cancelled_and_announced() -> None:
    clock, store = FakeClock(), FakeStore()
    integration_id = uuid4()
    backfill = store.state.book.add_backfill(integration_id, Platform.META, _spans(3))
    first, _ = await _send(store, clock)
    await on_sync_completed(_completed(first, rows=5), store.uow(), clock)

    gone = IntegrationDisconnected(org_id=store.state.book.org_id, integration_id=integration_id,
                                   platform=Platform.META)  # fmt: skip
    await on_integration(gone, store.uow(), clock)

    progress = store.state.book.progress[backfill]
    assert (progress.windows_done, progress.windows_cancelled) == (1, 1)
    assert progress.status is BackfillStatus.RUNNING  # one window is still with the worker
    assert store.events(BackfillProgressed)[-1].windows_cancelled == 1  # type: ignore[attr-defined]
