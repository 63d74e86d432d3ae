"""Stale integrations: an active integration whose schedule of a data type has not produced
a successful sync within ``STALE_AFTER_PERIODS`` of its period (metrics 2 h, campaigns 8 h,
all 48 h by default). The scheduler reports their count per platform and data type as a
gauge (``cmis_stale_integrations``), which the ``CmisStaleIntegrations`` alert watches."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cmis_shared.events import DataType, Platform

STALE_AFTER_PERIODS = 2


@dataclass(frozen=True)
class StaleCount:
    platform: Platform
    data_type: DataType
    count: int


def gauge_values(counts: Iterable[StaleCount]) -> dict[tuple[Platform, DataType], int]:
    """Every platform and data type with its count, zero where none is stale, so a series
    that was stale drops back to 0 instead of keeping its last value."""
    values = {(platform, data_type): 0 for platform in Platform for data_type in DataType}
    for entry in counts:
        values[(entry.platform, entry.data_type)] += entry.count
    return values
