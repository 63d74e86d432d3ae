"""The one composition root: adapters wired into handlers, handlers into the event
subscribers and the timers, all on one service runtime."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from faststream import FastStream
from opentelemetry.sdk.trace import TracerProvider

from cmis_alerting.adapters.dead_letter_queue import RabbitDeadLetterQueue
from cmis_alerting.adapters.unit_of_work import SqlUnitOfWork
from cmis_alerting.handlers import (
    AlertCommands,
    DeadLetterCheck,
    EventHandlers,
    HistoryRetention,
    TokenExpiryCheck,
)
from cmis_alerting.handlers.org_settings import SettingsChanged
from cmis_alerting.settings import AlertingSettings
from cmis_alerting.subscribers import subscribe
from cmis_alerting.timers import TickHandler, Timer
from cmis_shared.clock import Clock, system_clock
from cmis_shared.runtime import ServiceRuntime


@dataclass(frozen=True)
class AlertingService:
    settings: AlertingSettings
    runtime: ServiceRuntime
    handlers: EventHandlers
    token_check: TokenExpiryCheck
    dead_letter_check: DeadLetterCheck
    retention: HistoryRetention
    clock: Clock

    def app(self) -> FastStream:
        return self.runtime.faststream_app(
            after_startup=[self._start_timers],
            logger=logging.getLogger(__name__),  # through the JSON log handler
        )

    def timers(self) -> list[Timer]:
        """The enabled timers."""
        s = self.settings
        candidates: list[tuple[bool, str, float, TickHandler]] = [
            (s.token_check_enabled, "token-expiry-timer", s.token_check_interval_seconds,
             self.token_check),
            (s.dead_letter_check_enabled, "dead-letter-timer",
             s.dead_letter_check_interval_seconds, self.dead_letter_check),
            (s.alert_history_retention_enabled, "alert-history-retention",
             s.alert_history_retention_interval_seconds, self.retention),
        ]  # fmt: skip
        return [
            Timer(name, interval, handler, self.clock)
            for enabled, name, interval, handler in candidates
            if enabled
        ]

    def _start_timers(self) -> None:
        for timer in self.timers():
            self.runtime.start_background(timer.run, timer.name)


def bootstrap(
    settings: AlertingSettings,
    tracer_provider: TracerProvider | None = None,
    clock: Clock = system_clock,
) -> AlertingService:
    runtime = ServiceRuntime(settings, tracer_provider)
    unit_of_work = partial(SqlUnitOfWork, runtime.sessions)
    defaults = settings.default_thresholds()
    handlers = EventHandlers(unit_of_work, defaults, clock)
    subscribe(
        runtime,
        handlers,
        AlertCommands(unit_of_work),
        SettingsChanged(unit_of_work, defaults, clock),
    )
    dead_letters = RabbitDeadLetterQueue(runtime.broker, runtime.topology.dead_letter_queue.name)
    return AlertingService(
        settings=settings,
        runtime=runtime,
        handlers=handlers,
        token_check=TokenExpiryCheck(unit_of_work, defaults),
        dead_letter_check=DeadLetterCheck(unit_of_work, dead_letters),
        retention=HistoryRetention(
            unit_of_work,
            keep=timedelta(days=settings.alert_history_retention_days),
            batch_size=settings.alert_history_retention_batch_size,
            max_batches=settings.alert_history_retention_max_batches,
        ),
        clock=clock,
    )
