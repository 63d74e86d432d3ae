from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from opentelemetry.sdk.trace import TracerProvider

from cmis_alerting.app import AlertingService, build_service
from cmis_alerting.settings import AlertingSettings
from cmis_shared.settings import CmisSettings


@pytest.fixture
def alerting_settings(settings: CmisSettings) -> AlertingSettings:
    # The timer sweeps every integration in the run's shared database: tests of events keep
    # it off, and the timer's own test calls it directly.
    return AlertingSettings(
        **settings.model_dump(exclude={"service_name"}), token_check_enabled=False
    )


@pytest.fixture
async def service(
    alerting_settings: AlertingSettings, tracer_provider: TracerProvider
) -> AsyncIterator[AlertingService]:
    alerting = build_service(alerting_settings, tracer_provider)
    async with alerting.app():
        yield alerting
