"""Schema and storage rules against the real PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import asyncpg
import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from cmis_shared.crypto import TokenCipher
from cmis_shared.db.engine import asyncpg_dsn, create_engine, create_session_factory
from cmis_shared.db.migrate import downgrade, upgrade
from cmis_shared.db.models import Base, Integration, Organization
from cmis_shared.settings import CmisSettings
from tests.support.servers import ServerUrls

pytestmark = pytest.mark.integration


@pytest.fixture
def empty_database(servers: ServerUrls) -> Iterator[str]:
    name = f"cmis_migrations_{uuid.uuid4().hex[:8]}"
    admin = asyncpg_dsn(servers.postgres)

    async def run(sql: str) -> None:
        connection = await asyncpg.connect(admin)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    yield make_url(servers.postgres).set(database=name).render_as_string(hide_password=False)
    asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _tables(url: str) -> set[str]:
    async def read() -> set[str]:
        connection = await asyncpg.connect(asyncpg_dsn(url))
        try:
            rows = await connection.fetch(  # daily_metrics' monthly partitions left out
                "SELECT c.relname AS tablename FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition"
            )
            return {row["tablename"] for row in rows} - {"alembic_version"}
        finally:
            await connection.close()

    return asyncio.run(read())


def test_upgrade_head_then_downgrade_base_on_an_empty_database(empty_database: str) -> None:
    upgrade(empty_database)
    assert _tables(empty_database) == set(Base.metadata.tables)
    downgrade(empty_database)
    assert _tables(empty_database) == set()
    upgrade(empty_database)  # and back up again
    assert _tables(empty_database) == set(Base.metadata.tables)


def test_0015_moves_existing_daily_metrics_into_monthly_partitions_and_back(
    empty_database: str,
) -> None:
    """Rows written before the table was partitioned survive the upgrade, each in its
    month's partition (the migration creates the months the data covers), and the downgrade
    to a plain table."""
    upgrade(empty_database, "0012")
    org, integration = uuid.uuid4(), uuid.uuid4()

    async def sql(statement: str, *args: object) -> list[asyncpg.Record]:
        connection = await asyncpg.connect(asyncpg_dsn(empty_database))
        try:
            return await connection.fetch(statement, *args)
        finally:
            await connection.close()

    asyncio.run(sql("INSERT INTO organizations (id, name, timezone) VALUES ($1, 'o', 'UTC')", org))
    asyncio.run(
        sql(
            "INSERT INTO integrations (id, org_id, platform, account_id, account_name, timezone, "
            "status, refreshable, credentials_encrypted) "
            "VALUES ($1, $2, 'google', 'a', 'a', 'UTC', 'active', false, '\\x00')",
            integration, org,
        )
    )  # fmt: skip
    asyncio.run(
        sql(
            "INSERT INTO daily_metrics (integration_id, campaign_external_id, day, org_id, "
            "currency, impressions, clicks, spend, conversions, conversion_value) "
            "SELECT $1, 'c' || n % 3, date '2019-05-01' + n, $2, 'USD', n, 1, 1.5, 0, 0 "
            "FROM generate_series(0, 2999) AS n",
            integration, org,
        )
    )  # fmt: skip
    totals = "SELECT count(*) AS n, sum(impressions) AS s FROM daily_metrics"
    before = asyncio.run(sql(totals))[0]

    upgrade(empty_database)
    assert asyncio.run(sql(totals))[0] == before
    placed = asyncio.run(
        sql(
            "SELECT count(*) FILTER (WHERE tableoid::regclass::text = "
            "'daily_metrics_' || to_char(day, 'YYYY_MM')) AS in_month, count(*) AS n "
            "FROM daily_metrics"
        )
    )[0]
    assert placed["in_month"] == placed["n"] == 3000  # the data's own range was created

    downgrade(empty_database, "0012")
    assert asyncio.run(sql(totals))[0] == before
    kind = asyncio.run(sql("SELECT relkind FROM pg_class WHERE relname = 'daily_metrics'"))
    assert kind[0]["relkind"] == b"r"


async def test_tokens_are_encrypted_at_rest(settings: CmisSettings) -> None:
    cipher = TokenCipher(settings.encryption_keys)
    engine = create_engine(settings)
    sessions = create_session_factory(engine)
    secret = f"ya29.secret-{uuid.uuid4().hex}"
    async with sessions() as session, session.begin():
        org = Organization(name="Acme")
        session.add(org)
        await session.flush()
        integration = Integration(
            org_id=org.id, platform="google", account_id="123", account_name="Acme Ads",
            credentials_encrypted=cipher.encrypt({"access_token": secret}),
        )  # fmt: skip
        session.add(integration)
    async with sessions() as session:
        raw = (
            await session.execute(
                text("SELECT row_to_json(i)::text FROM integrations i WHERE id = :id"),
                {"id": integration.id},
            )
        ).scalar_one()
        raw_credentials = (
            await session.execute(
                text("SELECT credentials_encrypted FROM integrations WHERE id = :id"),
                {"id": integration.id},
            )
        ).scalar_one()
        stored = (
            await session.execute(select(Integration).where(Integration.id == integration.id))
        ).scalar_one()
    await engine.dispose()
    assert secret not in raw  # no column holds it as text
    assert secret.encode() not in bytes(raw_credentials)  # nor as plain bytes
    assert cipher.decrypt(stored.credentials_encrypted)["access_token"] == secret
