from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from opentelemetry.sdk.trace import TracerProvider

from cmis_alerting.bootstrap import AlertingService, bootstrap
from cmis_alerting.settings import AlertingSettings
from cmis_shared.settings import CmisSettings


@pytest.fixture
def alerting_settings(settings: CmisSettings) -> AlertingSettings:
    # The timers sweep every integration in the run's shared database: tests of events keep
    # them off, and the timers' own tests call their handlers directly or turn one on.
    return AlertingSettings(
        **settings.model_dump(exclude={"service_name"}),
        token_check_enabled=False,
        dead_letter_check_enabled=False,
        alert_history_retention_enabled=False,
    )


@pytest.fixture
async def service(
    alerting_settings: AlertingSettings, tracer_provider: TracerProvider
) -> AsyncIterator[AlertingService]:
    alerting = bootstrap(alerting_settings, tracer_provider)
    async with alerting.app():
        yield alerting
