"""The notifier's figures on its /metrics: sent, failed by reason, attempt latency, channels
disabled, attempts in flight (the delivery loop's ``DeliveryMetrics`` port)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class NotifierMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self._sent = Counter(
            "cmis_notifications_sent",
            "Notifications delivered, by channel kind and notification kind.",
            ["channel_kind", "kind"],
            registry=registry,
        )
        self._failed = Counter(
            "cmis_notification_attempts_failed",
            "Failed delivery attempts, by channel kind and reason (http_500, timeout...).",
            ["channel_kind", "reason"],
            registry=registry,
        )
        self._given_up = Counter(
            "cmis_notifications_given_up",
            "Notifications that exhausted their attempts.",
            ["channel_kind"],
            registry=registry,
        )
        self._latency = Histogram(
            "cmis_notification_attempt_seconds",
            "Duration of one delivery attempt, by channel kind.",
            ["channel_kind"],
            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=registry,
        )
        self._channels_disabled = Counter(
            "cmis_notification_channels_disabled",
            "Channels disabled after too many failed deliveries in a row.",
            registry=registry,
        )
        self._in_flight = Gauge(
            "cmis_notification_attempts_in_flight", "Attempts running now.", registry=registry
        )

    def attempt_started(self) -> None:
        self._in_flight.inc()

    def attempt_ended(self, channel_kind: str, seconds: float | None) -> None:
        self._in_flight.dec()
        if seconds is not None:
            self._latency.labels(channel_kind).observe(seconds)

    def sent(self, channel_kind: str, kind: str) -> None:
        self._sent.labels(channel_kind, kind).inc()

    def failed(self, channel_kind: str, reason: str) -> None:
        self._failed.labels(channel_kind, reason).inc()

    def given_up(self, channel_kind: str) -> None:
        self._given_up.labels(channel_kind).inc()

    def channel_disabled(self) -> None:
        self._channels_disabled.inc()
