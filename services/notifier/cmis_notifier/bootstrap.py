"""The one composition root: adapters wired into handlers, handlers into the subscriber and
the two loops (flush, delivery), all on one service runtime."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

import httpx
from faststream import FastStream
from opentelemetry.sdk.trace import TracerProvider

from cmis_notifier.adapters.deliveries import SqlDeliveryQueue
from cmis_notifier.adapters.metrics import NotifierMetrics
from cmis_notifier.adapters.senders import ChannelSenders
from cmis_notifier.adapters.system_channel import ensure_system_channel
from cmis_notifier.adapters.unit_of_work import SqlUnitOfWork
from cmis_notifier.domain.announce import channel_events
from cmis_notifier.handlers import AlertHandlers, DeliveryLoop, DeliveryRetention, GroupFlush
from cmis_notifier.loops import WakeableLoop
from cmis_notifier.settings import NotifierSettings
from cmis_notifier.subscribers import subscribe
from cmis_shared.clock import Clock, system_clock
from cmis_shared.crypto import TokenCipher
from cmis_shared.runtime import ServiceRuntime


@dataclass(frozen=True)
class NotifierService:
    settings: NotifierSettings
    runtime: ServiceRuntime
    handlers: AlertHandlers
    flush: WakeableLoop
    delivery: DeliveryLoop
    retention: WakeableLoop
    http: httpx.AsyncClient
    cipher: TokenCipher

    def app(self) -> FastStream:
        return self.runtime.faststream_app(
            after_startup=[self._start],
            logger=logging.getLogger(__name__),  # through the JSON log handler
        )

    async def _start(self) -> None:
        await ensure_system_channel(self.runtime.sessions, self.settings, self.cipher)
        self.runtime.start_background(self.flush.run, "notification-flush")
        self.runtime.start_background(self.delivery.run, "notification-delivery")
        self.runtime.start_background(self.retention.run, "notification-retention")


def bootstrap(
    settings: NotifierSettings,
    tracer_provider: TracerProvider | None = None,
    clock: Clock = system_clock,
) -> NotifierService:
    runtime = ServiceRuntime(settings, tracer_provider)
    unit_of_work = partial(SqlUnitOfWork, runtime.sessions)
    cipher = TokenCipher(settings.encryption_keys)
    metrics = NotifierMetrics(runtime.metrics)
    # Redirects are not followed: a receiver moving must not move where signed bodies go.
    http = httpx.AsyncClient(timeout=settings.delivery_timeout_seconds, follow_redirects=False)
    queue = SqlDeliveryQueue(runtime.sessions, settings.channel_disable_after_failures)
    delivery = DeliveryLoop(
        queue,
        ChannelSenders(settings, http, clock),
        cipher,
        settings.retry_policy(),
        metrics,
        web_base_url=settings.web_base_url,
        concurrency=settings.delivery_concurrency,
        lease=timedelta(seconds=settings.delivery_lease_seconds),
        poll_seconds=settings.delivery_poll_seconds,
        clock=clock,
        announce=channel_events,
    )
    flush = GroupFlush(
        unit_of_work, settings.group_policy(), settings.web_base_url, clock, delivery.wake
    )
    flush_loop = WakeableLoop("notification-flush", flush, settings.flush_interval_seconds)
    handlers = AlertHandlers(unit_of_work, clock, flush_loop.wake)
    subscribe(runtime, handlers)
    keep = timedelta(days=settings.notification_retention_days)
    retention = WakeableLoop(
        "notification-retention", DeliveryRetention(queue, keep, clock=clock), 60
    )
    return NotifierService(
        settings, runtime, handlers, flush_loop, delivery, retention, http, cipher
    )
