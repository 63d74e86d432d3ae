"""The sync worker's own figures on its /metrics: syncs by platform, data type and outcome
(``CmisSyncFailureRateHigh``, the dashboard's syncs panel) and refused token refreshes
(``CmisTokenRefreshFailures``). Sync duration is the consumer's handling time."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter

from cmis_shared.events import DataType, Platform
from cmis_shared.statuses import RunStatus


class PrometheusSyncMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.syncs = Counter(
            "cmis_syncs",
            "Finished sync attempts, by platform, data type and outcome (success, failed).",
            ["platform", "data_type", "outcome"],
            registry=registry,
        )
        self.token_refresh_failures = Counter(
            "cmis_token_refresh_failures",
            "Token refreshes the platform refused or that failed, by platform and error class.",
            ["platform", "reason"],
            registry=registry,
        )

    def attempt_finished(self, platform: Platform, data_type: DataType, outcome: RunStatus) -> None:
        self.syncs.labels(platform.value, data_type.value, outcome.value).inc()

    def token_refresh_failed(self, platform: Platform, reason: str) -> None:
        self.token_refresh_failures.labels(platform.value, reason).inc()
