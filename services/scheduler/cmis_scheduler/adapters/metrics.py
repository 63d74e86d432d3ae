"""The scheduler's own figures on its /metrics: stale integrations per platform and data
type (the ``CmisStaleIntegrations`` alert)."""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client import CollectorRegistry, Gauge

from cmis_shared.events import DataType, Platform


class SchedulerMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.stale = Gauge(
            "cmis_stale_integrations",
            "Active integrations with no successful sync of this data type within twice "
            "its schedule period.",
            ["platform", "data_type"],
            registry=registry,
        )

    def set_stale(self, values: Mapping[tuple[Platform, DataType], int]) -> None:
        for (platform, data_type), count in values.items():
            self.stale.labels(platform.value, data_type.value).set(count)
