"""Prometheus figures of an event consumer: what it consumed and how, how far behind the
publisher it runs (queue lag) and how long handling takes (for the sync worker: the sync)."""

from __future__ import annotations

from weakref import WeakKeyDictionary

from prometheus_client import CollectorRegistry, Counter, Histogram

_Collectors = tuple[Counter, Histogram, Histogram]
_COLLECTORS: WeakKeyDictionary[CollectorRegistry, _Collectors] = WeakKeyDictionary()

LAG_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900)
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)


class ConsumerMetrics:
    """One set of collectors per registry: a service consuming several queues (the worker's
    lanes) has one consumer per queue, all counting into the same figures."""

    def __init__(self, registry: CollectorRegistry, service: str) -> None:
        self.service = service
        collectors = _COLLECTORS.get(registry)
        if collectors is None:
            collectors = _COLLECTORS[registry] = _collectors(registry)
        self.consumed, self.lag, self.handling = collectors

    def count(self, event_type: str, outcome: str) -> None:
        self.consumed.labels(self.service, event_type, outcome).inc()


def _collectors(registry: CollectorRegistry) -> _Collectors:
    consumed = Counter(
        "cmis_events_consumed",
        "Events taken from the service's queue, by outcome "
        "(handled, ignored, retried, dead_lettered).",
        ["service", "event_type", "outcome"],
        registry=registry,
    )
    lag = Histogram(
        "cmis_event_lag_seconds",
        "From the event's occurrence to the start of its handling (queue lag).",
        ["service", "event_type"],
        buckets=LAG_BUCKETS,
        registry=registry,
    )
    handling = Histogram(
        "cmis_event_handling_seconds",
        "Time spent handling one event (in the sync worker: one sync).",
        ["service", "event_type"],
        buckets=DURATION_BUCKETS,
        registry=registry,
    )
    return consumed, lag, handling
