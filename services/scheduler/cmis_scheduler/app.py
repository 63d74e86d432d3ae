"""The scheduler process: ``cmis-scheduler``."""

from __future__ import annotations

from faststream import FastStream
from opentelemetry.sdk.trace import TracerProvider

from cmis_scheduler.service import SchedulerService
from cmis_scheduler.settings import SchedulerSettings
from cmis_shared.runtime import ServiceRuntime, serve
from cmis_shared.settings import load_settings
from cmis_shared.telemetry import start_process_telemetry


def build_app(
    settings: SchedulerSettings, tracer_provider: TracerProvider | None = None
) -> FastStream:
    runtime = ServiceRuntime(settings, tracer_provider)
    service = SchedulerService(runtime, settings)
    service.subscribe()
    app = runtime.faststream_app(after_startup=[service.start])
    app.after_shutdown(service.close)
    return app


def main() -> None:
    settings = load_settings(SchedulerSettings)
    serve(build_app(settings, start_process_telemetry(settings)))


if __name__ == "__main__":
    main()
