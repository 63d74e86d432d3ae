from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from cmis_notifier.settings import NotifierSettings
from cmis_shared.settings import CmisSettings
from scripts.webhook_receiver import Receiver, serve, stop
from tests.integration.notifier.harness import Notifier, build
from tests.support.ports import free_port


@pytest.fixture
def notifier_settings(settings: CmisSettings) -> NotifierSettings:
    return NotifierSettings(
        **settings.model_dump(exclude={"service_name"}),
        group_wait_seconds=30,
        group_interval_seconds=300,
        resolve_wait_seconds=5,
        delivery_timeout_seconds=1,
        retry_initial_seconds=0.01,
        retry_max_seconds=0.05,
        delivery_max_attempts=5,
        channel_disable_after_failures=4,
        web_base_url="http://dash.test",
    )


@pytest.fixture
async def notifier(notifier_settings: NotifierSettings) -> AsyncIterator[Notifier]:
    parts = build(notifier_settings)
    yield parts
    await parts.close()


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    """A real HTTP receiver that checks signatures; yields it and its base URL."""
    state = Receiver(secret="whsec-test", hang_seconds=3)
    port = free_port()
    server = await serve(state, port)
    yield state, f"http://127.0.0.1:{port}"
    await stop(server)
