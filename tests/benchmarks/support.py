"""Isolated servers for benchmarks run outside pytest: a scratch database migrated to head and
a unique namespace, both removed afterwards."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator

import aio_pika
import asyncpg
from sqlalchemy.engine import make_url

from cmis_shared.db.engine import asyncpg_dsn
from cmis_shared.db.migrate import upgrade
from cmis_shared.settings import CmisSettings
from cmis_shared.topology import Topology
from tests.support.servers import discover


@contextlib.asynccontextmanager
async def scratch_settings(**overrides: object) -> AsyncIterator[CmisSettings]:
    servers = discover()
    suffix = uuid.uuid4().hex[:8]
    name = f"cmis_bench_{suffix}"
    admin = await asyncpg.connect(asyncpg_dsn(servers.postgres))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = make_url(servers.postgres).set(database=name).render_as_string(hide_password=False)
    await asyncio.to_thread(upgrade, url)
    settings = CmisSettings(
        environment="test",
        database_url=url,
        rabbit_url=servers.rabbit,
        redis_url=servers.redis,
        namespace=f"bench-{suffix}.",
        **overrides,  # type: ignore[arg-type]
    )
    try:
        yield settings
    finally:
        connection = await aio_pika.connect_robust(servers.rabbit)
        async with connection:
            channel = await connection.channel()
            topology = Topology(settings.namespace)
            for queue in topology.all_queue_names():
                await channel.queue_delete(queue)
            for exchange in (topology.exchange.name, topology.dead_letter_exchange.name):
                await channel.exchange_delete(exchange)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
