"""Which months of ``daily_metrics`` must have their partition (migration 0015): the current
month back one, and ``months_ahead`` ahead, so the rows a sync writes land in a month's
partition, not in the DEFAULT one. Creating one that exists is a no-op, so every scheduler
replica may run the pass."""

from __future__ import annotations

from datetime import date


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def partition_months(today: date, months_ahead: int = 3) -> tuple[date, date]:
    """(first, last) months to ensure, as the first day of each."""
    return _add_months(today, -1), _add_months(today, months_ahead)
