"""Letting old records go (see :mod:`cmis_scheduler.domain.retention`): bounded batches,
each its own short transaction, until a pass finds less than a full batch or the pass's
batch cap is reached (the rest waits for the next pass)."""

from __future__ import annotations

import structlog

from cmis_scheduler.domain.retention import RetentionPolicy, cutoffs
from cmis_scheduler.ports import UnitsOfWork
from cmis_shared.clock import Clock

log = structlog.get_logger(__name__)


async def purge_expired(
    uows: UnitsOfWork,
    policy: RetentionPolicy,
    clock: Clock,
    batch_size: int = 1000,
    max_batches: int = 100,
) -> dict[str, int]:
    """One pass; returns the rows deleted per table."""
    limits = cutoffs(policy, clock())
    totals: dict[str, int] = {}
    for _ in range(max_batches):
        async with uows() as uow:
            deleted = await uow.retention.purge(limits, batch_size)
            await uow.commit()
        for table, count in deleted.items():
            totals[table] = totals.get(table, 0) + count
        if all(count < batch_size for count in deleted.values()):
            break
    if any(totals.values()):
        log.info("expired records deleted", **totals)
    return totals
