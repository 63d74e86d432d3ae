"""Daily-metric partitions created ahead of time (see :mod:`cmis_scheduler.domain.partitions`)."""

from __future__ import annotations

import structlog

from cmis_scheduler.domain.partitions import partition_months
from cmis_scheduler.ports import UnitsOfWork
from cmis_shared.clock import Clock

log = structlog.get_logger(__name__)


async def ensure_metric_partitions(uows: UnitsOfWork, clock: Clock, months_ahead: int = 3) -> int:
    """One pass; returns the partitions created."""
    first, last = partition_months(clock().date(), months_ahead)
    async with uows() as uow:
        created = await uow.retention.ensure_metric_partitions(first, last)
        await uow.commit()
    if created:
        log.info("daily-metric partitions created", created=created, until=last.isoformat())
    return created
