"""The alerting process: runtime, event subscribers, the token-expiry timer, ``main``."""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from functools import partial

from faststream import FastStream
from opentelemetry.sdk.trace import TracerProvider

from cmis_alerting.handlers import AlertingHandlers
from cmis_alerting.settings import AlertingSettings
from cmis_alerting.subscribers import subscribe
from cmis_alerting.token_timer import TokenExpiryTimer
from cmis_shared.runtime import ServiceRuntime, serve
from cmis_shared.settings import SettingsError, load_settings
from cmis_shared.telemetry import start_process_telemetry
from cmis_shared.uow import UnitOfWork


@dataclass(frozen=True)
class AlertingService:
    settings: AlertingSettings
    runtime: ServiceRuntime
    handlers: AlertingHandlers
    timer: TokenExpiryTimer

    def app(self) -> FastStream:
        return self.runtime.faststream_app(
            after_startup=[self._start_timer],
            logger=logging.getLogger(__name__),  # through the JSON log handler
        )

    def _start_timer(self) -> None:
        if self.settings.token_check_enabled:
            self.runtime.start_background(self.timer.run, "token-expiry-timer")


def build_service(
    settings: AlertingSettings, tracer_provider: TracerProvider | None = None
) -> AlertingService:
    runtime = ServiceRuntime(settings, tracer_provider)
    unit_of_work = partial(UnitOfWork, runtime.sessions)
    defaults = settings.default_thresholds()
    handlers = AlertingHandlers(unit_of_work, defaults)
    subscribe(runtime, handlers)
    timer = TokenExpiryTimer(unit_of_work, defaults, settings.token_check_interval_seconds)
    return AlertingService(settings, runtime, handlers, timer)


def create_app(
    settings: AlertingSettings, tracer_provider: TracerProvider | None = None
) -> FastStream:
    return build_service(settings, tracer_provider).app()


def main() -> None:
    try:
        settings = load_settings(AlertingSettings)
    except SettingsError as error:
        sys.exit(f"cmis-alerting: {error}")
    serve(create_app(settings, start_process_telemetry(settings)))


if __name__ == "__main__":
    main()
