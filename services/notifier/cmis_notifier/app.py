"""The notifier process: ``main`` (the ``cmis-notifier`` console script) and ``create_app``."""

from __future__ import annotations

from faststream import FastStream
from opentelemetry.sdk.trace import TracerProvider

from cmis_notifier.bootstrap import bootstrap
from cmis_notifier.settings import NotifierSettings
from cmis_shared.entrypoint import settings_or_exit
from cmis_shared.runtime import serve
from cmis_shared.telemetry import start_process_telemetry


def create_app(
    settings: NotifierSettings, tracer_provider: TracerProvider | None = None
) -> FastStream:
    return bootstrap(settings, tracer_provider).app()


def main() -> None:
    settings = settings_or_exit(NotifierSettings, "cmis-notifier")
    serve(create_app(settings, start_process_telemetry(settings)))


if __name__ == "__main__":
    main()
