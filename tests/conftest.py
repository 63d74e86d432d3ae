"""Fixtures shared by every test tier.

Isolation: each run gets its own database (created, migrated, dropped), and each test its own
broker namespace (exchange and queue names) and Redis key prefix, so runs never see each
other's data.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
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

# An unset environment is production (development keys and the simulator refused): every
# settings object and service process started by a test says explicitly that it is a test.
os.environ["CMIS_ENVIRONMENT"] = "test"

# The platform simulator fixture arrives with the connectors work; load it once it exists.
pytest_plugins = (
    ["tests.support.platform_sim"] if importlib.util.find_spec("tests.support.platform_sim") else []
)

RUN_ID = uuid.uuid4().hex[:8]


@pytest.fixture(scope="session")
def servers() -> ServerUrls:
    return discover()


class Databases:
    """A database migrated once per run (the template) and cheap clones of it
    (``CREATE DATABASE ... TEMPLATE``, about 0.2 s), so each test has a database of its own."""

    def __init__(self, servers: ServerUrls) -> None:
        self._admin_dsn = asyncpg_dsn(servers.postgres)
        self._servers = servers
        self.template = f"cmis_test_{RUN_ID}_template"

    def url(self, name: str) -> str:
        url = make_url(self._servers.postgres).set(database=name)
        return url.render_as_string(hide_password=False)

    async def _admin(self, sql: str) -> None:
        connection = await asyncpg.connect(self._admin_dsn)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    async def create_template(self) -> None:
        await self._admin(f'CREATE DATABASE "{self.template}"')
        await asyncio.to_thread(upgrade, self.url(self.template))

    async def clone(self) -> str:
        name = f"cmis_test_{RUN_ID}_{uuid.uuid4().hex[:8]}"
        await self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return name

    async def drop(self, name: str) -> None:
        await self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def databases(servers: ServerUrls) -> Iterator[Databases]:
    manager = Databases(servers)
    asyncio.run(manager.create_template())
    yield manager
    asyncio.run(manager.drop(manager.template))


@pytest.fixture(scope="module")
async def module_database_url(databases: Databases) -> AsyncIterator[str]:
    """A database shared by one module's tests (for module-scoped systems)."""
    name = await databases.clone()
    yield databases.url(name)
    await databases.drop(name)


@pytest.fixture
async def database_url(databases: Databases) -> AsyncIterator[str]:
    """This test's own database, migrated to head."""
    name = await databases.clone()
    yield databases.url(name)
    await databases.drop(name)


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
