"""Scheduler throughput: 100,000 schedule entries all due at once, planned (claimed, run row,
outbox event, next due time) and published by one scheduler, with the per-platform rate
budget enforced. Prints the planning rate (the relay stopped meanwhile), the time until the
last one was published (planning, then the relay), the highest dispatch rate any platform
saw (over any 1 s and any 60 s window) beside its budget, and as reference the raw
confirmed-publish rate of the same broker."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime

from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy import text

from cmis_scheduler.bootstrap import SchedulerService, reconcile_all
from cmis_scheduler.settings import SchedulerSettings
from cmis_shared.events import Platform
from cmis_shared.runtime import ServiceRuntime
from tests.benchmarks.bench_outbox import raw_publish_rate
from tests.benchmarks.common import BenchResult, print_results
from tests.benchmarks.support import scratch_settings
from tests.support.windows import max_in_any_window

BUDGET_PER_MINUTE = 600_000  # per platform: 10,000/s, so 100k due at once can go in seconds


async def _seed(service: SchedulerService, entries: int) -> None:
    """Integrations on the five platforms, three entries each, all due now."""
    count = -(-entries // 3)
    platforms = [p.value for p in Platform]
    async with service.runtime.sessions() as session, session.begin():
        org = uuid.uuid4()
        await session.execute(
            text(
                "INSERT INTO organizations (id, name, timezone, settings) "
                "VALUES (:id, 'Bench', 'UTC', '{}')"
            ),
            {"id": org},
        )
        await session.execute(
            text(
                "INSERT INTO integrations (id, org_id, platform, account_id, account_name, "
                "timezone, status, credentials_encrypted, refreshable, consecutive_failures, "
                "account_extra)"
                " SELECT gen_random_uuid(), :org, (CAST(:platforms AS text[]))[1 + n % 5], "
                "'acc-' || n, 'Account', 'UTC', 'active', '\\x00'::bytea, false, 0, '{}'::jsonb "
                "FROM generate_series(1, :count) AS n"
            ),
            {"org": org, "platforms": platforms, "count": count},
        )
    await reconcile_all(service.runtime.sessions, service.defaults, datetime.now(UTC))
    async with service.runtime.sessions() as session, session.begin():
        await session.execute(
            text(
                "DELETE FROM schedule_entries WHERE id IN (SELECT id FROM schedule_entries "
                "ORDER BY id OFFSET :keep)"
            ),
            {"keep": entries},
        )
        await session.execute(text("UPDATE schedule_entries SET next_due_at = now()"))


async def _count(service: SchedulerService, table: str) -> int:
    async with service.runtime.sessions() as session:
        return int((await session.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())


async def _dispatch_times(service: SchedulerService) -> dict[str, list[float]]:
    async with service.runtime.sessions() as session:
        rows = await session.execute(
            text(
                "SELECT platform, extract(epoch FROM requested_at) AS at FROM sync_runs "
                "ORDER BY requested_at"
            )
        )
        by_platform: dict[str, list[float]] = {}
        for row in rows:
            by_platform.setdefault(row.platform, []).append(float(row.at))
    return by_platform


async def run(scale: float = 1.0) -> list[BenchResult]:
    entries = max(1000, int(100_000 * scale))
    async with scratch_settings(outbox_batch_size=1000, outbox_poll_seconds=0.05) as base:
        settings = SchedulerSettings(
            **{**base.model_dump(), "service_name": "scheduler"},
            tick_seconds=0.05, dispatch_batch_size=2000,
            default_rate_budget_per_minute=BUDGET_PER_MINUTE,
            catch_up_after_seconds=3600,  # all are due "now": nothing counts as missed
        )  # fmt: skip
        runtime = ServiceRuntime(settings, TracerProvider())
        service = SchedulerService(runtime, settings)
        await runtime.connect()
        await _seed(service, entries)

        # Planning alone first (the relay stopped), so its rate is the planner's own; then
        # the relay publishes what was planned. One process, one core either way: running
        # the two together only interleaves the same CPU work.
        started = time.perf_counter()
        service.start_loops()
        while await _count(service, "sync_runs") < entries:  # noqa: ASYNC110 - polling the database
            await asyncio.sleep(0.02)
        planned_in = time.perf_counter() - started
        runtime.start_relay()
        while await _count(service, "outbox") > 0:  # noqa: ASYNC110 - polling the database
            await asyncio.sleep(0.05)
        published_in = time.perf_counter() - started
        await runtime.stop_background()

        times = await _dispatch_times(service)
        peak_second = max(max_in_any_window(t, 1.0) for t in times.values())
        peak_minute = max(max_in_any_window(t, 60.0) for t in times.values())
        raw = (
            await raw_publish_rate(
                settings.rabbit_url, runtime.topology.exchange.name, min(entries, 20_000)
            )
        ).rate
        await runtime.dispose()
        await service.close()
    return [
        BenchResult(
            f"scheduler: {entries:,} due entries planned, then published",
            published_in, "s", "<= 1.5 x raw confirmed publish",
            entries / raw, f"the same count at the broker's raw rate ({raw:,.0f} msg/s)",
            higher_is_better=False, goal_met=published_in <= 1.5 * entries / raw,
        ),
        BenchResult(
            "scheduler: planning rate (claim, run rows, outbox rows, next due; one process, "
            "relay stopped)",
            entries / planned_in, "entries/s", ">= 20,000 entries/s",
            goal_met=entries / planned_in >= 20_000,
        ),
        BenchResult(
            "scheduler: highest platform dispatch rate (busiest 1 s window x 60)",
            peak_second * 60, "/min", f"<= budget {BUDGET_PER_MINUTE:,}/min",
            float(BUDGET_PER_MINUTE), "the per-platform budget",
            higher_is_better=False,
        ),
        BenchResult(
            "scheduler: highest platform count in any 60 s window",
            float(peak_minute), "requests", f"<= {BUDGET_PER_MINUTE:,}",
            float(BUDGET_PER_MINUTE), "the per-platform budget",
            higher_is_better=False, goal_met=peak_minute <= BUDGET_PER_MINUTE,
        ),
    ]  # fmt: skip


if __name__ == "__main__":
    print_results(asyncio.run(run()))
