"""The dead-letter alert against the real broker: a message in the test's dead-letter queue
raises the system alert on the service's timer; purging the queue resolves it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aio_pika
import pytest
from opentelemetry.sdk.trace import TracerProvider

from cmis_alerting.bootstrap import AlertingService, bootstrap
from cmis_alerting.domain.dead_letters import SYSTEM_ORG_ID
from cmis_alerting.settings import AlertingSettings
from cmis_shared.events import AlertRaised, AlertResolved
from tests.integration.alerting.harness import alerts_of, capture_alerts

pytestmark = pytest.mark.integration


@pytest.fixture
async def watching(
    alerting_settings: AlertingSettings, tracer_provider: TracerProvider
) -> AsyncIterator[AlertingService]:
    settings = alerting_settings.model_copy(
        update={"dead_letter_check_enabled": True, "dead_letter_check_interval_seconds": 0.2}
    )
    alerting = bootstrap(settings, tracer_provider)
    async with alerting.app():
        yield alerting


async def _purge(settings: AlertingSettings, queue_name: str) -> None:
    connection = await aio_pika.connect_robust(settings.rabbit_url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(queue_name, passive=True)
        await queue.purge()


async def test_dead_letters_raise_a_system_alert_until_the_queue_is_purged(
    watching: AlertingService,
) -> None:
    runtime = watching.runtime
    queue_name = runtime.topology.dead_letter_queue.name
    async with capture_alerts(
        watching.settings, runtime.topology.exchange.name, {SYSTEM_ORG_ID}
    ) as capture:
        for body in (b"not json", b"{}"):
            await runtime.broker.publish(
                body, exchange=runtime.topology.dead_letter_exchange, routing_key="", persist=True
            )
        [raised] = await capture.wait_for(1)
        assert isinstance(raised, AlertRaised)
        assert (raised.alert_type, raised.severity) == ("dead_letters", "critical")
        assert raised.message == f"2 messages in the dead-letter queue {queue_name}"
        assert raised.details == {"queue": queue_name, "message_count": 2}

        await _purge(watching.settings, queue_name)
        events = await capture.wait_for(2)

    resolved = events[1]
    assert isinstance(resolved, AlertResolved) and resolved.alert_id == raised.alert_id
    [alert] = await alerts_of(watching, SYSTEM_ORG_ID)
    assert (alert.alert_type, alert.subject_id, alert.status) == (
        "dead_letters", SYSTEM_ORG_ID, "resolved",
    )  # fmt: skip
