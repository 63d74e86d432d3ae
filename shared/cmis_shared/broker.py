"""The RabbitMQ broker every service uses: publisher confirms, unroutable messages raising,
a deliberate prefetch, manual acks, telemetry/metrics middlewares, and a connection that moves
to another node of a cluster when its own goes away (:mod:`cmis_shared.amqp`)."""

from __future__ import annotations

import logging

from faststream import AckPolicy
from faststream.rabbit import Channel, RabbitBroker
from faststream.rabbit.opentelemetry import RabbitTelemetryMiddleware
from faststream.rabbit.prometheus import RabbitPrometheusMiddleware
from opentelemetry.sdk.trace import TracerProvider
from prometheus_client import CollectorRegistry

from cmis_shared.amqp import failover_class
from cmis_shared.settings import CmisSettings


def build_broker(
    settings: CmisSettings,
    tracer_provider: TracerProvider,
    metrics_registry: CollectorRegistry | None = None,
) -> RabbitBroker:
    middlewares: list[object] = [RabbitTelemetryMiddleware(tracer_provider=tracer_provider)]
    if metrics_registry is not None:
        middlewares.append(
            RabbitPrometheusMiddleware(
                registry=metrics_registry, app_name=settings.service_name, metrics_prefix="cmis"
            )
        )
    urls = settings.amqp_urls
    broker = RabbitBroker(
        urls[0],
        default_channel=Channel(
            prefetch_count=settings.prefetch_count,
            publisher_confirms=True,
            on_return_raises=True,
        ),
        graceful_timeout=settings.graceful_timeout_seconds,
        # Acks are ours: after the database commit (see cmis_shared.consumer).
        ack_policy=AckPolicy.MANUAL,
        middlewares=middlewares,  # type: ignore[arg-type]
        app_id=settings.service_name,
        logger=logging.getLogger("faststream"),
        log_level=logging.DEBUG,
    )
    # FastStream hands these to aio_pika.connect_robust; it has no argument of its own for a
    # connection class. The failover class reconnects to any node of a cluster.
    broker._connection_kwargs["connection_class"] = failover_class(urls)
    return broker
