"""Reporting stale integrations (see :mod:`cmis_scheduler.domain.freshness`): one read-only
statement per pass, its counts set on the gauge with every other pair at zero."""

from __future__ import annotations

from cmis_scheduler.domain.freshness import gauge_values
from cmis_scheduler.ports import StaleGauge, UnitsOfWork
from cmis_shared.clock import Clock


async def report_stale(uows: UnitsOfWork, clock: Clock, gauge: StaleGauge) -> int:
    """One pass; returns how many integration schedules are stale."""
    async with uows() as uow:
        counts = await uow.freshness.stale_counts(clock())
    gauge.set_stale(gauge_values(counts))
    return sum(entry.count for entry in counts)
