"""Connections to a cluster given several node addresses: the first that answers is used, a
dead address costs one refused connection. (Moving to another node when the connected one
stops is tested against a real three-node cluster: tests/faults/test_cluster_faults.py.)"""

from __future__ import annotations

import pytest
from opentelemetry.sdk.trace import TracerProvider

from cmis_shared.amqp import FailoverConnection, connect_any
from cmis_shared.broker import build_broker
from cmis_shared.settings import CmisSettings
from tests.support.ports import free_port

pytestmark = pytest.mark.integration


def _dead_url() -> str:
    return f"amqp://guest:guest@127.0.0.1:{free_port()}/"  # nothing listens there


async def test_a_dead_node_first_is_skipped(settings: CmisSettings) -> None:
    connection = await connect_any([_dead_url(), settings.rabbit_url, _dead_url()])
    async with connection:
        assert isinstance(connection, FailoverConnection)
        assert str(connection.url.port) in settings.rabbit_url
        channel = await connection.channel()
        await channel.declare_queue(exclusive=True)


async def test_no_node_answering_fails_at_start() -> None:
    with pytest.raises(ConnectionError):
        await connect_any([_dead_url(), _dead_url()])


async def test_the_services_broker_takes_every_address(settings: CmisSettings) -> None:
    tuned = settings.model_copy(update={"rabbit_urls": f"{_dead_url()},{settings.rabbit_url}"})
    broker = build_broker(tuned, TracerProvider())
    await broker.connect()
    try:
        assert await broker.ping(timeout=5)
    finally:
        await broker.stop()
