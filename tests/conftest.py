"""Fixtures shared by every test tier.

Isolation: each run gets its own database (created, migrated, dropped), and each test its own
broker namespace (exchange and queue names) and Redis key prefix, so runs never see each
other's data.
"""

from __future__ import annotations

import asyncio
import importlib.util
import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest
import redis.asyncio as redis_asyncio
from aio_pika import connect_robust
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy.engine import make_url

from cmis_shared.db.engine import asyncpg_dsn
from cmis_shared.db.migrate import upgrade
from cmis_shared.settings import CmisSettings
from cmis_shared.topology import Topology
from tests.support.servers import ServerUrls, discover

# The platform simulator fixture arrives with the connectors work; load it once it exists.
pytest_plugins = (
    ["tests.support.platform_sim"] if importlib.util.find_spec("tests.support.platform_sim") else []
)

RUN_ID = uuid.uuid4().hex[:8]


@pytest.fixture(scope="session")
def servers() -> ServerUrls:
    return discover()


@pytest.fixture(scope="session")
def database_url(servers: ServerUrls) -> Iterator[str]:
    """A fresh database for this run, migrated to head, dropped at the end."""
    name = f"cmis_test_{RUN_ID}"
    admin_dsn = asyncpg_dsn(servers.postgres)

    async def admin(sql: str) -> None:
        connection = await asyncpg.connect(admin_dsn)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    url = make_url(servers.postgres).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def namespace() -> str:
    return f"test-{RUN_ID}-{uuid.uuid4().hex[:6]}."


@pytest.fixture
async def settings(
    servers: ServerUrls, database_url: str, namespace: str
) -> AsyncIterator[CmisSettings]:
    """Settings isolated to this test; its queues, exchanges and Redis keys are removed after."""
    test_settings = CmisSettings(
        environment="test",
        database_url=database_url,
        rabbit_url=servers.rabbit,
        redis_url=servers.redis,
        namespace=namespace,
        outbox_poll_seconds=0.2,
        graceful_timeout_seconds=5,
    )
    yield test_settings
    await remove_broker_objects(servers.rabbit, Topology(namespace))
    await remove_redis_keys(servers.redis, namespace)


async def remove_broker_objects(rabbit_url: str, topology: Topology) -> None:
    connection = await connect_robust(rabbit_url)
    async with connection:
        channel = await connection.channel()
        for queue in topology.all_queue_names():
            await channel.queue_delete(queue)
        for exchange in (topology.exchange.name, topology.dead_letter_exchange.name):
            await channel.exchange_delete(exchange)


async def remove_redis_keys(redis_url: str, namespace: str) -> None:
    client = redis_asyncio.from_url(redis_url)
    try:
        keys = [key async for key in client.scan_iter(match=f"{namespace}*", count=1000)]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


@pytest.fixture
def span_exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def tracer_provider(span_exporter: InMemorySpanExporter) -> TracerProvider:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(span_exporter))
    return provider
