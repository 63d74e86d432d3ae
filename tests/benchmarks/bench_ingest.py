"""Ingest: daily-metric rows/s through the worker's batched upsert (``INSERT ... SELECT FROM
unnest ... ON CONFLICT DO UPDATE``), beside a bare COPY of the same rows into a scratch table
on the same server in the same run.

Three upsert figures: first sync (all rows new), a re-read where every row changed
(attribution revisions), and a re-read where nothing changed (skipped by IS DISTINCT FROM).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import asyncpg

from cmis_shared.crypto import TokenCipher
from cmis_shared.db.engine import asyncpg_dsn
from cmis_shared.settings import CmisSettings
from cmis_sync_worker.adapters.platform_data import PlatformDataStore
from cmis_sync_worker.connectors.base import NormalizedDailyMetric
from tests.benchmarks.common import BenchResult, print_results
from tests.benchmarks.support import scratch_settings

GOAL = 50_000.0
DAYS = 500


def _rows(campaigns: int, bump: int = 0) -> list[NormalizedDailyMetric]:
    start = date(2024, 1, 1)
    return [
        NormalizedDailyMetric(
            campaign_external_id=f"{100_000_000 + c}",
            day=start + timedelta(days=d),
            currency="USD",
            impressions=1000 + c + d + bump,
            clicks=30 + (c * d) % 17 + bump,
            spend=Decimal(f"{(c * 31 + d) % 9000}.{(d + bump) % 100:02d}"),
            conversions=Decimal((c + d) % 7),
            conversion_value=Decimal(f"{(c + d) % 500}.25"),
        )
        for c in range(campaigns)
        for d in range(DAYS)
    ]


async def _integration(
    connection: asyncpg.Connection, settings: CmisSettings
) -> tuple[uuid.UUID, uuid.UUID]:
    org_id, integration_id = uuid.uuid4(), uuid.uuid4()
    await connection.execute(
        "INSERT INTO organizations (id, name, timezone) VALUES ($1, 'bench', 'UTC')", org_id
    )
    await connection.execute(
        "INSERT INTO integrations (id, org_id, platform, account_id, account_name, timezone, "
        "status, refreshable, credentials_encrypted) "
        "VALUES ($1, $2, 'google', $3, 'bench', 'UTC', 'active', false, $4)",
        integration_id, org_id, integration_id.hex,
        TokenCipher(settings.encryption_keys).encrypt({"access_token": "bench"}),
    )  # fmt: skip
    return org_id, integration_id


async def _upsert_rate(
    connection: asyncpg.Connection,
    ids: tuple[uuid.UUID, uuid.UUID],
    rows: list[NormalizedDailyMetric],
) -> float:
    store = PlatformDataStore(connection, batch_size=10_000)
    started = time.perf_counter()
    async with connection.transaction():
        await store.upsert_daily_metrics(*ids, rows, synced_at=datetime.now(UTC))
    return len(rows) / (time.perf_counter() - started)


async def _copy_rate(connection: asyncpg.Connection, rows: list[NormalizedDailyMetric]) -> float:
    await connection.execute("CREATE TABLE scratch_metrics (LIKE daily_metrics INCLUDING DEFAULTS)")
    records = [
        (uuid.UUID(int=0), m.campaign_external_id, m.day, uuid.UUID(int=0), m.currency,
         m.impressions, m.clicks, m.spend, m.conversions, m.conversion_value, datetime.now(UTC))
        for m in rows
    ]  # fmt: skip
    columns = [
        "integration_id", "campaign_external_id", "day", "org_id", "currency", "impressions",
        "clicks", "spend", "conversions", "conversion_value", "synced_at",
    ]  # fmt: skip
    started = time.perf_counter()
    async with connection.transaction():
        await connection.copy_records_to_table("scratch_metrics", records=records, columns=columns)
    return len(rows) / (time.perf_counter() - started)


async def run(scale: float = 1.0) -> list[BenchResult]:
    campaigns = max(4, int(400 * scale))  # x 500 days = 200,000 rows at scale 1
    rows = _rows(campaigns)
    async with scratch_settings() as settings:
        connection = await asyncpg.connect(asyncpg_dsn(settings.database_url))
        try:
            ids = await _integration(connection, settings)
            copy = await _copy_rate(connection, rows)
            fresh = await _upsert_rate(connection, ids, rows)
            changed = await _upsert_rate(connection, ids, _rows(campaigns, bump=1))
            unchanged = await _upsert_rate(connection, ids, _rows(campaigns, bump=1))
        finally:
            await connection.close()
    reference = f"bare COPY, {len(rows):,} rows"
    return [
        BenchResult("ingest: upsert, new rows", fresh, "rows/s", "≥ 50,000 rows/s", copy,
                    reference, goal_met=fresh >= GOAL),
        BenchResult("ingest: upsert, every row revised", changed, "rows/s", "≥ 50,000 rows/s",
                    copy, reference, goal_met=changed >= GOAL),
        BenchResult("ingest: upsert, re-read unchanged", unchanged, "rows/s", "-", copy,
                    reference),
    ]  # fmt: skip


if __name__ == "__main__":
    print_results(asyncio.run(run()))
