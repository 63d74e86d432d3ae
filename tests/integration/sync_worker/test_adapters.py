"""The worker's edges on the real servers: batched upserts in PostgreSQL, the shared limiter
in Redis."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import asyncpg
import pytest
import redis.asyncio as redis_asyncio
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cmis_shared.db.engine import asyncpg_dsn, create_engine, create_session_factory
from cmis_shared.events import Platform
from cmis_shared.settings import CmisSettings
from cmis_sync_worker.adapters.limiter import RedisPlatformLimiter
from cmis_sync_worker.adapters.pg import open_pool
from cmis_sync_worker.adapters.platform_data import PlatformDataStore
from cmis_sync_worker.adapters.unit_of_work import PostgresSyncUnitOfWork
from cmis_sync_worker.connectors.base import NormalizedDailyMetric
from cmis_sync_worker.domain.failures import LimitWaitExceeded
from tests.integration.sync_worker.stored import stored_metrics
from tests.integration.sync_worker.world import seed_integration

pytestmark = pytest.mark.integration
DAY = date(2025, 3, 1)
T0 = datetime(2025, 3, 2, tzinfo=UTC)


def _metric(campaign: str, day: date, spend: str) -> NormalizedDailyMetric:
    return NormalizedDailyMetric(campaign, day, "EUR", 10, 2, Decimal(spend), Decimal(1))


async def test_upsert_batches_dedupe_last_wins_and_skip_unchanged_rows(
    settings: CmisSettings,
) -> None:
    engine = create_engine(settings)
    sessions: async_sessionmaker[AsyncSession] = create_session_factory(engine)
    integration = await seed_integration(
        sessions, settings, Platform.GOOGLE, uuid.uuid4().hex, currency="EUR", timezone="UTC"
    )
    ids = (integration.org_id, integration.integration_id)
    rows = [_metric(f"c{n % 7}", DAY + timedelta(days=n // 7), "1.00") for n in range(250)]
    rows.append(_metric("c0", DAY, "9.99"))  # a duplicate key in one batch: the last wins
    connection = await asyncpg.connect(asyncpg_dsn(settings.database_url))
    try:
        store = PlatformDataStore(connection, batch_size=100)  # three batches
        await store.upsert_daily_metrics(*ids, rows, T0)
        await store.upsert_daily_metrics(*ids, rows, T0 + timedelta(hours=1))  # unchanged
        await store.upsert_daily_metrics(
            *ids, [_metric("c1", DAY, "2.50")], T0 + timedelta(hours=2)
        )
        synced = dict(
            await connection.fetch(
                "SELECT campaign_external_id || day::text, synced_at FROM daily_metrics "
                "WHERE integration_id = $1",
                integration.integration_id,
            )
        )
    finally:
        await connection.close()
    stored = {
        (m.campaign_external_id, m.day): m.spend for m in await stored_metrics(sessions, ids[1])
    }
    assert len(stored) == 250
    assert stored[("c0", DAY)] == Decimal("9.99") and stored[("c1", DAY)] == Decimal("2.50")
    assert synced[f"c1{DAY}"] == T0 + timedelta(hours=2)  # revised: rewritten
    assert synced[f"c2{DAY}"] == T0  # unchanged on the re-read: not rewritten
    await engine.dispose()


async def test_amounts_are_stored_as_exact_numerics_whatever_their_decimal_form(
    settings: CmisSettings,
) -> None:
    """Amounts travel as ``str(Decimal)``: exponent forms and signs arrive exact, digits past
    the column's six places round as a numeric cast rounds them, and an equal amount written
    another way (``1E+1`` for ``10.00``) is an unchanged row, not a revision."""
    engine = create_engine(settings)
    sessions: async_sessionmaker[AsyncSession] = create_session_factory(engine)
    integration = await seed_integration(
        sessions, settings, Platform.GOOGLE, uuid.uuid4().hex, currency="EUR", timezone="UTC"
    )
    ids = (integration.org_id, integration.integration_id)
    written = {
        "exponent": Decimal("1.5E+3"), "tiny": Decimal("7E-7"), "rounded": Decimal("2.1234565"),
        "negative": Decimal("-0.25"), "ten": Decimal("10.00"),
    }  # fmt: skip
    connection = await asyncpg.connect(asyncpg_dsn(settings.database_url))
    try:
        store = PlatformDataStore(connection)
        await store.upsert_daily_metrics(
            *ids, [_metric(name, DAY, str(amount)) for name, amount in written.items()], T0
        )
        await store.upsert_daily_metrics(
            *ids, [_metric("ten", DAY, "1E+1")], T0 + timedelta(hours=1)
        )
        synced_ten = await connection.fetchval(
            "SELECT synced_at FROM daily_metrics WHERE integration_id = $1 "
            "AND campaign_external_id = 'ten'",
            integration.integration_id,
        )
    finally:
        await connection.close()
    stored = {m.campaign_external_id: m.spend for m in await stored_metrics(sessions, ids[1])}
    assert stored == {
        "exponent": Decimal("1500"), "tiny": Decimal("0.000001"), "rounded": Decimal("2.123457"),
        "negative": Decimal("-0.25"), "ten": Decimal("10"),
    }  # fmt: skip
    assert synced_ten == T0  # 1E+1 equals 10.00: not rewritten
    await engine.dispose()


async def test_metrics_must_name_an_existing_integration_and_go_with_it(
    settings: CmisSettings,
) -> None:
    """The reference to integrations, checked once per statement (migration 0016): a batch
    naming a missing integration fails whole, and deleting an integration deletes its rows."""
    engine = create_engine(settings)
    sessions: async_sessionmaker[AsyncSession] = create_session_factory(engine)
    integration = await seed_integration(
        sessions, settings, Platform.GOOGLE, uuid.uuid4().hex, currency="EUR", timezone="UTC"
    )
    rows = [_metric("c1", DAY + timedelta(days=n), "1.00") for n in range(40)]  # two months
    connection = await asyncpg.connect(asyncpg_dsn(settings.database_url))
    try:
        store = PlatformDataStore(connection)
        with pytest.raises(asyncpg.ForeignKeyViolationError):
            await store.upsert_daily_metrics(integration.org_id, uuid.uuid4(), rows, T0)
        await store.upsert_daily_metrics(integration.org_id, integration.integration_id, rows, T0)
        count = "SELECT count(*) FROM daily_metrics WHERE org_id = $1"
        assert await connection.fetchval(count, integration.org_id) == 40
        await connection.execute(
            "DELETE FROM integrations WHERE id = $1", integration.integration_id
        )
        assert await connection.fetchval(count, integration.org_id) == 0
    finally:
        await connection.close()
    await engine.dispose()


async def test_an_unfinished_metrics_insert_holds_its_integration_against_deletion(
    settings: CmisSettings,
) -> None:
    """As the foreign key's check did, the per-statement check locks the integration FOR KEY
    SHARE: a delete waits for the inserting transaction, then takes its rows along."""
    engine = create_engine(settings)
    sessions: async_sessionmaker[AsyncSession] = create_session_factory(engine)
    integration = await seed_integration(
        sessions, settings, Platform.GOOGLE, uuid.uuid4().hex, currency="EUR", timezone="UTC"
    )
    writer = await asyncpg.connect(asyncpg_dsn(settings.database_url))
    deleter = await asyncpg.connect(asyncpg_dsn(settings.database_url))
    delete = "DELETE FROM integrations WHERE id = $1"
    try:
        await deleter.execute("SET lock_timeout = '200ms'")
        async with writer.transaction():
            await PlatformDataStore(writer).upsert_daily_metrics(
                integration.org_id, integration.integration_id, [_metric("c1", DAY, "1")], T0
            )
            with pytest.raises(asyncpg.LockNotAvailableError):
                await deleter.execute(delete, integration.integration_id)
        await deleter.execute(delete, integration.integration_id)
        left = "SELECT count(*) FROM daily_metrics WHERE org_id = $1"
        assert await deleter.fetchval(left, integration.org_id) == 0
    finally:
        await writer.close()
        await deleter.close()
    await engine.dispose()


def _limiter(
    client: redis_asyncio.Redis, settings: CmisSettings, **kwargs: object
) -> RedisPlatformLimiter:
    options: dict[str, object] = {
        "platform_concurrency": lambda _: 2, "account_concurrency": 2,
        "calls_per_second": lambda _: 10_000.0, "lease_seconds": 30.0, "max_wait_seconds": 5.0,
    }  # fmt: skip
    options.update(kwargs)
    return RedisPlatformLimiter(client, settings.redis_key, **options)  # type: ignore[arg-type]


async def test_limiter_caps_concurrency_across_processes(settings: CmisSettings) -> None:
    clients = [redis_asyncio.from_url(settings.redis_url) for _ in range(2)]
    workers = [_limiter(client, settings) for client in clients]  # two "processes"
    running, peak = 0, 0

    async def call(limiter: RedisPlatformLimiter, account: str) -> None:
        nonlocal running, peak
        async with limiter.slot(Platform.META, account):
            running += 1
            peak = max(peak, running)
            await asyncio.sleep(0.02)
            running -= 1

    await asyncio.gather(*(call(workers[n % 2], f"acct-{n % 3}") for n in range(12)))
    assert peak == 2
    for client in clients:
        await client.aclose()


async def test_slot_of_a_killed_holder_frees_itself_and_waiting_has_a_limit(
    settings: CmisSettings,
) -> None:
    client = redis_asyncio.from_url(settings.redis_url)
    dead = _limiter(client, settings, lease_seconds=0.3, platform_concurrency=lambda _: 1)
    alive = _limiter(client, settings, platform_concurrency=lambda _: 1, max_wait_seconds=0.1)
    held = dead.slot(Platform.TIKTOK, "a")
    await held.__aenter__()  # never released, as if the worker was killed
    with pytest.raises(LimitWaitExceeded):
        async with alive.slot(Platform.TIKTOK, "b"):
            pass
    patient = _limiter(client, settings, platform_concurrency=lambda _: 1, max_wait_seconds=5)
    async with patient.slot(Platform.TIKTOK, "b"):  # granted once the lease expired
        pass
    await client.aclose()


async def test_rate_bucket_refuses_a_call_over_the_rate(settings: CmisSettings) -> None:
    client = redis_asyncio.from_url(settings.redis_url)
    limiter = _limiter(
        client, settings, calls_per_second=lambda _: 0.5, platform_concurrency=lambda _: 100,
        max_wait_seconds=0,
    )  # fmt: skip
    async with limiter.slot(Platform.LINKEDIN, "x"):  # the one token of a 0.5/s bucket
        pass
    with pytest.raises(LimitWaitExceeded):  # the next one is two seconds away
        async with limiter.slot(Platform.LINKEDIN, "y"):
            pass
    await client.aclose()


async def test_unit_of_work_statements_share_one_transaction(settings: CmisSettings) -> None:
    """Statements (inbox claim, runs, outbox) commit together or not at all."""
    pool = await open_pool(settings)
    kept, dropped = uuid.uuid4(), uuid.uuid4()
    try:
        async with PostgresSyncUnitOfWork(pool, "test-worker") as uow:
            assert await uow.claim_event("sync-worker", dropped)
        # left without commit: rolled back
        async with PostgresSyncUnitOfWork(pool, "test-worker") as uow:
            assert await uow.claim_event("sync-worker", kept)
            await uow.commit()
        async with PostgresSyncUnitOfWork(pool, "test-worker") as uow:
            assert await uow.claim_event("sync-worker", dropped)
            assert not await uow.claim_event("sync-worker", kept)
        failed = uuid.uuid4()
        with pytest.raises(LookupError):  # an error inside: rolled back, connection returned
            async with PostgresSyncUnitOfWork(pool, "test-worker") as uow:
                await uow.claim_event("sync-worker", failed)
                raise LookupError("handler failed")
        async with PostgresSyncUnitOfWork(pool, "test-worker") as uow:
            assert await uow.claim_event("sync-worker", failed)
        assert pool.get_size() - pool.get_idle_size() == 0
    finally:
        await pool.close()
