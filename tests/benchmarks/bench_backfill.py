"""Backfill: a year of daily metrics for one organization with five integrations (one per
platform), requested through dashboard-api's handler, sent by a ``cmis-scheduler`` process
and read by a ``cmis-sync-worker`` process from the platform simulator (zero latency).

Figures: rows stored per second over the whole backfill, beside a bare COPY of as many rows
into a scratch table in the same run; and per platform the most sync requests the scheduler
sent in any 60 seconds (backfill windows and the schedule's own syncs together) against that
platform's rate budget, which must never be exceeded.
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import mkdtemp

import asyncpg
import httpx
import orjson

from cmis_dashboard_api.adapters.unit_of_work import SqlUnitOfWork
from cmis_dashboard_api.handlers.backfills import RequestBackfill, request_backfill
from cmis_platform_sim.dataset import Size
from cmis_shared.clock import system_clock
from cmis_shared.crypto import TokenCipher
from cmis_shared.db.engine import asyncpg_dsn, create_engine, create_session_factory
from cmis_shared.events import Platform
from cmis_shared.settings import CmisSettings
from tests.benchmarks.bench_ingest import _copy_rate, _rows
from tests.benchmarks.common import BenchResult, print_results
from tests.benchmarks.support import scratch_settings
from tests.integration.sync_worker.world import EXTRA
from tests.support.platform_sim import PlatformSim, start_platform_sim, stop_platform_sim
from tests.support.processes import ServiceProcess, service_env

BIN = Path(sys.executable).parent
BUDGET_PER_MINUTE = 120  # per platform: X's 53 weekly windows take about half a minute
CREDENTIALS = {"access_token": "sim-bench", "token_secret": "sim-token-secret"}


async def _organization(settings: CmisSettings, sim: PlatformSim) -> uuid.UUID:
    cipher = TokenCipher(settings.encryption_keys)
    org_id = uuid.uuid4()
    connection = await asyncpg.connect(asyncpg_dsn(settings.database_url))
    try:
        await connection.execute(
            "INSERT INTO organizations (id, name, timezone) VALUES ($1, 'bench', 'UTC')", org_id
        )
        for platform in Platform:
            account_id = sim.dataset.account_ids(platform.value)[0]
            account = sim.dataset.account(platform.value, account_id)
            await connection.execute(
                "INSERT INTO integrations (id, org_id, platform, account_id, account_name, "
                "currency, timezone, account_extra, status, refreshable, credentials_encrypted) "
                "VALUES ($1, $2, $3, $4, 'bench', $5, $6, $7::jsonb, 'active', false, $8)",
                uuid.uuid4(), org_id, platform.value, account_id, account.currency,
                account.timezone, orjson.dumps(EXTRA.get(platform, {})).decode(),
                cipher.encrypt(CREDENTIALS),
            )  # fmt: skip
    finally:
        await connection.close()
    return org_id


def _processes(settings: CmisSettings, sim: PlatformSim) -> list[ServiceProcess]:
    env = service_env(
        settings,
        CMIS_PLATFORM_SIM_URL=sim.base_url,
        CMIS_PLATFORMS__X_CONSUMER_KEY="sim-consumer",
        CMIS_PLATFORMS__X_CONSUMER_SECRET="sim-consumer-secret",
        CMIS_DEFAULT_RATE_BUDGET_PER_MINUTE=str(BUDGET_PER_MINUTE),
        CMIS_TICK_SECONDS="0.2",
        CMIS_OUTBOX_POLL_SECONDS="0.05",
    )
    log_dir = Path(mkdtemp(prefix="bench-backfill-"))
    return [
        ServiceProcess(name, [str(BIN / f"cmis-{name}")], {**env, "CMIS_SERVICE_NAME": name},
                       log_dir)
        for name in ("scheduler", "sync-worker")
    ]  # fmt: skip


async def _wait_finished(settings: CmisSettings, backfill_id: uuid.UUID, within: float) -> int:
    connection = await asyncpg.connect(asyncpg_dsn(settings.database_url))
    try:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            row = await connection.fetchrow(
                "SELECT status, rows_stored FROM backfills WHERE id = $1", backfill_id
            )
            if row is not None and row["status"] != "running":
                if row["status"] != "completed":
                    raise RuntimeError(f"backfill ended {row['status']}")
                return int(row["rows_stored"])
            await asyncio.sleep(0.1)
    finally:
        await connection.close()
    raise RuntimeError(f"backfill not finished within {within} s")


async def _peak_per_minute(settings: CmisSettings) -> dict[str, int]:
    """Per platform, the most sync requests (every trigger) sent in any 60 seconds."""
    connection = await asyncpg.connect(asyncpg_dsn(settings.database_url))
    try:
        rows = await connection.fetch(
            "SELECT platform, max(n) AS peak FROM ("
            "  SELECT a.platform, (SELECT count(*) FROM sync_runs b WHERE b.platform = a.platform"
            "    AND b.requested_at >= a.requested_at"
            "    AND b.requested_at < a.requested_at + interval '60 seconds') AS n"
            "  FROM sync_runs a) per_run GROUP BY platform"
        )
    finally:
        await connection.close()
    return {row["platform"]: int(row["peak"]) for row in rows}


async def _copy_reference(settings: CmisSettings, rows: int) -> float:
    connection = await asyncpg.connect(asyncpg_dsn(settings.database_url))
    try:
        return await _copy_rate(connection, _rows(max(1, rows // 500)))
    finally:
        await connection.close()


async def run(scale: float = 1.0) -> list[BenchResult]:
    days = max(14, int(365 * scale))
    campaigns = max(2, int(20 * scale))
    today = datetime.now(UTC).date()
    sim = start_platform_sim(
        "--max-page-size", "1000",
        size=Size(accounts=1, campaigns=campaigns, days=days + 10, posts=2), end_date=today,
    )  # fmt: skip
    try:
        async with scratch_settings() as settings:
            org_id = await _organization(settings, sim)
            processes = _processes(settings, sim)
            for process in processes:
                process.start()
            try:
                for process in processes:
                    await asyncio.to_thread(process.wait_for_log, "started successfully", 120)
                engine = create_engine(settings)
                uow = SqlUnitOfWork(
                    create_session_factory(engine), TokenCipher(settings.encryption_keys)
                )
                until = today - timedelta(days=1)
                since = until - timedelta(days=days - 1)
                command = RequestBackfill(
                    org_id, "bench@example.test", since, until, None, ("metrics",), False
                )
                started = time.perf_counter()
                backfill = await request_backfill(command, uow, system_clock)
                stored = await _wait_finished(settings, backfill.id, within=600)
                rate = stored / (time.perf_counter() - started)
                await engine.dispose()
                peaks = await _peak_per_minute(settings)
                copy = await _copy_reference(settings, stored)
                async with httpx.AsyncClient(timeout=5) as http:
                    calls = (await http.get(f"{sim.base_url}/_admin/calls")).json()["total"]
            finally:
                for process in processes:
                    process.terminate()
    finally:
        stop_platform_sim(sim)
    results = [
        BenchResult(f"backfill: {days} days x 5 platforms, rows stored", rate, "rows/s",
                    f"{backfill.windows_total} windows, {stored:,} rows, {calls:,} platform calls",
                    copy, f"bare COPY, {stored:,} rows"),
    ]  # fmt: skip
    for platform in Platform:
        peak = peaks.get(platform.value, 0)
        results.append(
            BenchResult(f"backfill: {platform.value} sync requests, busiest 60 s", peak,
                        "requests", f"≤ budget {BUDGET_PER_MINUTE}/min", BUDGET_PER_MINUTE,
                        "rate budget per minute", higher_is_better=False,
                        goal_met=peak <= BUDGET_PER_MINUTE)
        )  # fmt: skip
    return results


if __name__ == "__main__":
    print_results(asyncio.run(run(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)))
