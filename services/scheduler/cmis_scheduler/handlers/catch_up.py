"""Spreading the entries missed during downtime over the catch-up window (see
:mod:`cmis_scheduler.domain.catch_up`), in chunks, each its own short transaction."""

from __future__ import annotations

from datetime import timedelta

from cmis_scheduler.domain.catch_up import replanned_due
from cmis_scheduler.ports import UnitsOfWork
from cmis_shared.clock import Clock


async def replan_missed(
    uows: UnitsOfWork,
    clock: Clock,
    threshold: timedelta,
    window_seconds: int,
    chunk: int = 5000,
) -> int:
    """Move every entry overdue by more than ``threshold``; returns how many were moved.
    Each chunk leaves the entries it moved due after ``now``, so the loop ends."""
    now = clock()
    replanned = 0
    while True:
        async with uows() as uow:
            missed = await uow.entries.missed(now - threshold, chunk)
            if not missed:
                return replanned
            await uow.entries.move(
                [(entry, replanned_due(entry, now, window_seconds)) for entry in missed]
            )
            await uow.commit()
        replanned += len(missed)
