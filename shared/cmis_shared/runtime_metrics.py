"""Prometheus figures of the runtime itself: task restarts, outbox backlog, dead letters and
the readiness of each check."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge


class RuntimeMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.task_restarts = Counter(
            "cmis_task_restarts",
            "Background tasks restarted after an exception, by task name.",
            ["task"],
            registry=registry,
        )
        self.outbox_depth = Gauge(
            "cmis_outbox_depth", "Rows waiting in the outbox to be published.", registry=registry
        )
        self.outbox_oldest_age = Gauge(
            "cmis_outbox_oldest_age_seconds",
            "Age of the oldest unpublished outbox row (0 when empty).",
            registry=registry,
        )
        self.dead_letter_depth = Gauge(
            "cmis_dead_letter_depth",
            "Messages parked in the dead-letter queue.",
            registry=registry,
        )
        self.check_ok = Gauge(
            "cmis_readiness_check_ok",
            "1 when the readiness check passed at its last run, else 0.",
            ["check"],
            registry=registry,
        )
