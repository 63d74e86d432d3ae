"""The scheduler process: ``cmis-scheduler``."""

from __future__ import annotations

from faststream import FastStream
from opentelemetry.sdk.trace import TracerProvider

from cmis_scheduler.bootstrap import SchedulerService
from cmis_scheduler.settings import SchedulerSettings
from cmis_shared.entrypoint import settings_or_exit
from cmis_shared.runtime import ServiceRuntime, serve
from cmis_shared.telemetry import start_process_telemetry


def create_app(
    settings: SchedulerSettings, tracer_provider: TracerProvider | None = None
) -> FastStream:
    runtime = ServiceRuntime(settings, tracer_provider)
    service = SchedulerService(runtime, settings)
    service.subscribe()
    app = runtime.faststream_app(after_startup=[service.start])
    app.after_shutdown(service.close)
    return app


def main() -> None:
    settings = settings_or_exit(SchedulerSettings, "cmis-scheduler")
    serve(create_app(settings, start_process_telemetry(settings)))


if __name__ == "__main__":
    main()
