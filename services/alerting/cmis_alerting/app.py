"""The alerting process: ``main`` (the ``cmis-alerting`` console script) and ``create_app``."""

from __future__ import annotations

from faststream import FastStream
from opentelemetry.sdk.trace import TracerProvider

from cmis_alerting.bootstrap import bootstrap
from cmis_alerting.settings import AlertingSettings
from cmis_shared.entrypoint import settings_or_exit
from cmis_shared.runtime import serve
from cmis_shared.telemetry import start_process_telemetry


def create_app(
    settings: AlertingSettings, tracer_provider: TracerProvider | None = None
) -> FastStream:
    return bootstrap(settings, tracer_provider).app()


def main() -> None:
    settings = settings_or_exit(AlertingSettings, "cmis-alerting")
    serve(create_app(settings, start_process_telemetry(settings)))


if __name__ == "__main__":
    main()
