"""Backfill requests, cancelling and gaps against in-memory fakes: idempotency (overlapping
requests add only uncovered days), 404/422 causes, progress events."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from cmis_dashboard_api.domain.backfill import PLATFORM_LIMITS, BackfillRangeError
from cmis_dashboard_api.handlers.backfills import (
    RequestBackfill,
    cancel_backfill,
    integration_gaps,
    request_backfill,
)
from cmis_dashboard_api.handlers.trigger import IntegrationNotFoundError
from cmis_shared.events import BackfillProgressed, BackfillStatus, Platform
from cmis_shared.statuses import WindowStatus
from tests.unit.dashboard_api.fakes import FakeUnitOfWork

ORG = uuid4()
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def clock() -> datetime:
    return NOW


async def _connected(uow: FakeUnitOfWork, platform: str = "meta", org_id: UUID = ORG) -> UUID:
    async with uow:
        row = await uow.integrations.connect(
            org_id, {"platform": platform, "account_id": str(uuid4()), "account_name": "A"}, {}
        )
        await uow.commit()
    return row.id


def _ask(
    since: date,
    until: date,
    ids: tuple[UUID, ...] | None = None,
    data_types: tuple[str, ...] = ("metrics",),
    only_gaps: bool = False,
) -> RequestBackfill:
    return RequestBackfill(ORG, "ana@example.test", since, until, ids, data_types, only_gaps)


def _days(uow: FakeUnitOfWork, integration_id: UUID) -> list[date]:
    days = []
    for w in uow.committed.backfill.windows:
        if w.integration_id == integration_id and w.status is not WindowStatus.CANCELLED:
            days += [w.span.start + timedelta(days=i) for i in range(w.span.days)]
    return days


async def test_a_year_for_two_integrations_is_split_per_platform_and_announced() -> None:
    uow = FakeUnitOfWork()
    meta, x = await _connected(uow, "meta"), await _connected(uow, "twitter")

    out = await request_backfill(_ask(date(2025, 1, 1), date(2025, 12, 31)), uow, clock)

    assert out.status is BackfillStatus.RUNNING
    assert out.windows_total == 13 + 53 == out.windows_pending
    assert sorted(_days(uow, meta)) == sorted(_days(uow, x))
    assert len(_days(uow, meta)) == len(set(_days(uow, meta))) == 365
    for w in uow.committed.backfill.windows:
        platform = Platform.META if w.integration_id == meta else Platform.TWITTER
        assert w.span.days <= PLATFORM_LIMITS[platform].max_days
    [event] = uow.committed.published
    assert isinstance(event, BackfillProgressed)
    assert (event.backfill_id, event.windows_total, event.status) == (out.id, 66, out.status)


async def test_an_overlapping_request_adds_only_the_uncovered_days() -> None:
    uow = FakeUnitOfWork()
    iid = await _connected(uow)
    await request_backfill(_ask(date(2025, 1, 1), date(2025, 6, 30)), uow, clock)

    second = await request_backfill(_ask(date(2025, 4, 1), date(2025, 9, 30)), uow, clock)

    days = _days(uow, iid)
    assert len(days) == len(set(days))  # nothing planned twice
    assert set(days) == {date(2025, 1, 1) + timedelta(days=i) for i in range(273)}
    assert second.windows_total == 4  # July to September: 92 days, 30-day windows (30+30+30+2)


async def test_a_wholly_covered_request_is_completed_at_once_with_no_windows() -> None:
    uow = FakeUnitOfWork()
    await _connected(uow)
    await request_backfill(_ask(date(2025, 1, 1), date(2025, 6, 30)), uow, clock)

    again = await request_backfill(_ask(date(2025, 2, 1), date(2025, 3, 1)), uow, clock)

    assert (again.status, again.windows_total, again.windows_pending) == (
        BackfillStatus.COMPLETED, 0, 0,
    )  # fmt: skip


async def test_cancelled_days_can_be_asked_for_again() -> None:
    uow = FakeUnitOfWork()
    await _connected(uow)
    first = await request_backfill(_ask(date(2025, 1, 1), date(2025, 3, 31)), uow, clock)
    cancelled = await cancel_backfill(ORG, first.id, uow, clock)
    assert cancelled is not None and cancelled.status is BackfillStatus.CANCELLED
    assert cancelled.windows_cancelled == first.windows_total and cancelled.windows_pending == 0

    again = await request_backfill(_ask(date(2025, 1, 1), date(2025, 3, 31)), uow, clock)

    assert again.windows_total == first.windows_total


async def test_cancelling_twice_changes_nothing_the_second_time() -> None:
    uow = FakeUnitOfWork()
    await _connected(uow)
    first = await request_backfill(_ask(date(2025, 1, 1), date(2025, 3, 31)), uow, clock)
    await cancel_backfill(ORG, first.id, uow, clock)
    published = len(uow.committed.published)

    again = await cancel_backfill(ORG, first.id, uow, clock)

    assert again is not None and again.status is BackfillStatus.CANCELLED
    assert len(uow.committed.published) == published


async def test_another_org_s_backfill_is_not_found() -> None:
    uow = FakeUnitOfWork()
    await _connected(uow)
    first = await request_backfill(_ask(date(2025, 1, 1), date(2025, 1, 31)), uow, clock)
    assert await cancel_backfill(uuid4(), first.id, uow, clock) is None


async def test_unknown_integration_is_not_found_and_nothing_is_written() -> None:
    uow = FakeUnitOfWork()
    known = await _connected(uow)
    with pytest.raises(IntegrationNotFoundError):
        await request_backfill(
            _ask(date(2025, 1, 1), date(2025, 1, 31), ids=(known, uuid4())), uow, clock
        )
    assert uow.committed.backfill.backfills == {} and uow.committed.published == []


async def test_ranges_the_platform_cannot_serve_are_refused() -> None:
    uow = FakeUnitOfWork()
    await _connected(uow, "linkedin")
    with pytest.raises(BackfillRangeError, match="after today"):
        await request_backfill(_ask(date(2026, 11, 1), date(2026, 12, 31)), uow, clock)
    with pytest.raises(BackfillRangeError, match="linkedin keeps daily data for 24 months"):
        await request_backfill(_ask(date(2024, 1, 1), date(2024, 12, 31)), uow, clock)
    with pytest.raises(BackfillRangeError, match="only_gaps"):
        await request_backfill(
            _ask(date(2026, 1, 1), date(2026, 1, 2), data_types=("posts",), only_gaps=True),
            uow,
            clock,
        )


async def test_gaps_are_listed_and_one_call_backfills_exactly_them() -> None:
    uow = FakeUnitOfWork()
    iid = await _connected(uow, "google")
    since, until = date(2026, 9, 1), date(2026, 11, 29)
    have = {since + timedelta(days=i) for i in range(90)} - {
        date(2026, 9, 10), date(2026, 9, 11), date(2026, 10, 31),
    }  # fmt: skip
    uow.committed.backfill.metric_days[iid] = have

    gaps = await integration_gaps(ORG, iid, since, until, uow, clock)
    [entry] = gaps.integrations
    assert entry.missing_days == 3
    assert [(g.start, g.end) for g in entry.gaps] == [
        (date(2026, 9, 10), date(2026, 9, 11)),
        (date(2026, 10, 31), date(2026, 10, 31)),
    ]

    filled = await request_backfill(_ask(since, until, only_gaps=True), uow, clock)

    assert filled.windows_total == 2
    assert sorted(_days(uow, iid)) == [date(2026, 9, 10), date(2026, 9, 11), date(2026, 10, 31)]


async def test_gaps_of_an_unknown_integration_are_not_found() -> None:
    uow = FakeUnitOfWork()
    with pytest.raises(IntegrationNotFoundError):
        await integration_gaps(ORG, uuid4(), None, None, uow, clock)
