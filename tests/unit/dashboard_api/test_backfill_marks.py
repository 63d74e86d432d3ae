"""A live progress bar never moves back: a late, older backfill.progressed is not told."""

from __future__ import annotations

from uuid import UUID, uuid4

from cmis_dashboard_api.domain.live_messages import BackfillMarks
from cmis_shared.events import BackfillProgressed, BackfillStatus

ORG = uuid4()


def _progress(backfill_id: UUID, done: int, failed: int = 0) -> BackfillProgressed:
    return BackfillProgressed(
        org_id=ORG,
        backfill_id=backfill_id,
        status=BackfillStatus.RUNNING,
        windows_total=12,
        windows_done=done,
        windows_failed=failed,
        windows_cancelled=0,
        rows_stored=done * 10,
    )


def test_an_older_progress_arriving_late_is_dropped() -> None:
    marks, backfill = BackfillMarks(), uuid4()
    told = [done for done in (1, 2, 4, 3, 5) if marks.advances(_progress(backfill, done))]
    assert told == [1, 2, 4, 5]


def test_a_failed_window_counts_as_progress_and_a_repeat_is_told_again() -> None:
    marks, backfill = BackfillMarks(), uuid4()
    assert marks.advances(_progress(backfill, 3))
    assert marks.advances(_progress(backfill, 3, failed=1))
    assert marks.advances(_progress(backfill, 3, failed=1))  # a redelivery changes nothing
    assert not marks.advances(_progress(backfill, 2, failed=1))


def test_backfills_are_told_apart_and_the_least_recent_forgotten() -> None:
    marks, first, second = BackfillMarks(capacity=1), uuid4(), uuid4()
    assert marks.advances(_progress(first, 5))
    assert marks.advances(_progress(second, 1))
    assert marks.advances(_progress(first, 2))  # forgotten: told again rather than lost
