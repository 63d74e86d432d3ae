"""The scheduler's composition root: the one place that wires adapters (PostgreSQL, Redis,
the runtime's broker) into the handlers, the subscribers and the loops, from settings."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cmis_scheduler.adapters.backfill_dispatch import SqlBackfillBatch
from cmis_scheduler.adapters.ecb_feed import HttpRateFeed
from cmis_scheduler.adapters.metrics import SchedulerMetrics
from cmis_scheduler.adapters.rate_limiter import RedisRateLimiter
from cmis_scheduler.adapters.retry_store import SqlRetryBatch
from cmis_scheduler.adapters.schedule_store import SqlScheduleBatch
from cmis_scheduler.adapters.unit_of_work import SqlUnitOfWork
from cmis_scheduler.domain.budget import MICROS, RateBudget
from cmis_scheduler.domain.health import HealthPolicy
from cmis_scheduler.domain.retention import RetentionPolicy
from cmis_scheduler.domain.retry import TimeoutRetryPolicy
from cmis_scheduler.domain.schedule import ScheduleDefaults
from cmis_scheduler.domain.stuck import StuckLimits
from cmis_scheduler.handlers import reconcile
from cmis_scheduler.handlers.catch_up import replan_missed
from cmis_scheduler.handlers.dispatch_backfill import BackfillDispatch
from cmis_scheduler.handlers.dispatch_retries import RetryDispatch
from cmis_scheduler.handlers.dispatch_scheduled import ScheduledDispatch
from cmis_scheduler.handlers.exchange_rates import RatesPass, refresh_exchange_rates
from cmis_scheduler.handlers.integration_events import IntegrationEvent, on_integration
from cmis_scheduler.handlers.org_settings import on_settings_changed
from cmis_scheduler.handlers.partitions import ensure_metric_partitions
from cmis_scheduler.handlers.retention import purge_expired
from cmis_scheduler.handlers.stale import report_stale
from cmis_scheduler.handlers.sweep_stuck import sweep_stuck
from cmis_scheduler.handlers.sync_outcomes import on_sync_completed, on_sync_failed
from cmis_scheduler.loops import DispatchLoop, Periodic
from cmis_scheduler.settings import SchedulerSettings
from cmis_scheduler.subscribers import Handlers, subscribe
from cmis_shared.clock import Clock, system_clock
from cmis_shared.consumer import EventConsumer
from cmis_shared.events import OrganizationSettingsChanged, Platform, SyncCompleted, SyncFailed
from cmis_shared.redis_client import create_redis
from cmis_shared.runtime import ServiceRuntime

log = structlog.get_logger(__name__)
DAY_SECONDS = 86400


def schedule_defaults(settings: SchedulerSettings) -> ScheduleDefaults:
    return ScheduleDefaults(
        metrics_seconds=settings.metrics_period_seconds,
        campaigns_seconds=settings.campaigns_period_seconds,
        all_seconds=settings.full_sync_period_seconds,
        all_at=settings.full_sync_at,
        all_spread_seconds=settings.full_sync_spread_seconds,
    )


def rate_budgets(settings: SchedulerSettings) -> dict[Platform, RateBudget]:
    tolerance = int(settings.tick_seconds * MICROS)  # one tick's share may go in one batch
    return {p: RateBudget(settings.budget_per_minute(p), tolerance) for p in Platform}


def stuck_limits(settings: SchedulerSettings) -> StuckLimits:
    running = {kind: timedelta(seconds=s) for kind, s in settings.stuck_running_seconds.items()}
    return StuckLimits(
        queued=timedelta(seconds=settings.stuck_queued_seconds),
        running=running,
        running_default=max(running.values(), default=StuckLimits().running_default),
    )


def retention_policy(settings: SchedulerSettings) -> RetentionPolicy:
    return RetentionPolicy(
        processed_events=timedelta(days=settings.retention_processed_events_days),
        sync_runs=timedelta(days=settings.retention_sync_runs_days),
        retry_entries=timedelta(days=settings.retention_retry_entries_days),
    )


async def reconcile_all(
    sessions: async_sessionmaker[AsyncSession], defaults: ScheduleDefaults, now: datetime
) -> int:
    """Start-up reconciliation over PostgreSQL (also used by the benchmark's seeding)."""
    return await reconcile.reconcile_all(lambda: SqlUnitOfWork(sessions, defaults), now)


class SchedulerService:
    """Everything one scheduler process runs, around a :class:`ServiceRuntime`."""

    def __init__(
        self, runtime: ServiceRuntime, settings: SchedulerSettings, clock: Clock = system_clock
    ) -> None:
        self.runtime = runtime
        self.settings = settings
        self.clock = clock
        self.defaults = schedule_defaults(settings)
        self.redis = create_redis(settings)
        runtime.add_check("redis", self.redis.ping)
        self.limiter = RedisRateLimiter(
            self.redis, settings.redis_key("scheduler", "budget"), rate_budgets(settings)
        )
        sessions = runtime.sessions
        self.uows = lambda: SqlUnitOfWork(sessions, self.defaults)
        self.health = HealthPolicy(
            settings.pause_after_failures, timedelta(seconds=settings.pause_after_seconds)
        )
        self.loop = DispatchLoop(
            RetryDispatch(
                lambda: SqlRetryBatch(sessions),
                self.limiter,
                clock,
                settings.dispatch_batch_size,
                timedelta(seconds=settings.retry_conflict_delay_seconds),
            ),
            ScheduledDispatch(
                lambda: SqlScheduleBatch(sessions, self.defaults),
                self.limiter,
                clock,
                settings.dispatch_batch_size,
            ),
            settings.tick_seconds,
            catch_up=self.catch_up,
            catch_up_after_seconds=settings.catch_up_after_seconds,
            backfill=BackfillDispatch(
                lambda: SqlBackfillBatch(sessions, self.defaults),
                self.limiter,
                clock,
                settings.dispatch_batch_size,
                settings.backfill_windows_per_integration,
            ),
        )
        self.stuck_limits = stuck_limits(settings)
        self.timeout_policy = TimeoutRetryPolicy(
            settings.retry_backoff_seconds, settings.max_attempts
        )
        self.retention = retention_policy(settings)
        self.metrics = SchedulerMetrics(runtime.metrics)
        self.housekeeping = [
            Periodic(self.sweep_stuck, settings.stuck_sweep_seconds, "stuck-run-sweep"),
            Periodic(self.purge_expired, settings.retention_interval_seconds, "retention"),
            Periodic(self.report_stale, settings.stale_check_seconds, "stale-integrations"),
            Periodic(
                self.ensure_partitions, settings.retention_interval_seconds, "metric-partitions"
            ),
        ]
        self.rates_http = httpx.AsyncClient(timeout=settings.exchange_rate_timeout_seconds)
        if settings.exchange_rate_feed_url:
            self.rate_feed = HttpRateFeed(self.rates_http, settings.exchange_rate_feed_url)
            self.housekeeping.append(
                Periodic(
                    self.refresh_exchange_rates,
                    settings.exchange_rate_interval_seconds,
                    "exchange-rates",
                )
            )

    def handlers(self) -> Handlers:
        async def integration(event: IntegrationEvent) -> None:
            await on_integration(event, self.uows(), self.clock)

        async def failed(event: SyncFailed) -> None:
            await on_sync_failed(event, self.uows(), self.health, self.clock)

        async def completed(event: SyncCompleted) -> None:
            await on_sync_completed(event, self.uows(), self.clock)

        async def settings_changed(event: OrganizationSettingsChanged) -> None:
            written = await on_settings_changed(event, self.uows(), self.clock)
            log.info("schedule re-planned for new settings", entries_written=written)

        return Handlers(integration, failed, completed, settings_changed)

    def subscribe(self) -> EventConsumer:
        return subscribe(self.runtime, self.handlers())

    async def sweep_stuck(self) -> int:
        return await sweep_stuck(
            self.uows, self.stuck_limits, self.timeout_policy, self.clock,
            self.settings.stuck_sweep_batch_size,
        )  # fmt: skip

    async def purge_expired(self) -> dict[str, int]:
        return await purge_expired(
            self.uows, self.retention, self.clock,
            self.settings.retention_batch_size, self.settings.retention_max_batches,
        )  # fmt: skip

    async def report_stale(self) -> int:
        return await report_stale(self.uows, self.clock, self.metrics)

    async def refresh_exchange_rates(self) -> RatesPass:
        return await refresh_exchange_rates(
            self.rate_feed, self.uows, self.clock,
            timedelta(days=self.settings.exchange_rate_max_gap_days),
        )  # fmt: skip

    async def ensure_partitions(self) -> int:
        return await ensure_metric_partitions(self.uows, self.clock)

    async def prepare(self) -> None:
        """Entries for every integration, then spread whatever was missed while down."""
        written = await reconcile_all(self.runtime.sessions, self.defaults, self.clock())
        log.info("schedule reconciled", entries_written=written)
        await self.catch_up()

    async def catch_up(self) -> None:
        missed = await replan_missed(
            self.uows,
            self.clock,
            timedelta(seconds=self.settings.catch_up_after_seconds),
            self.settings.catch_up_spread_seconds,
        )
        log.info("missed entries spread", missed_replanned=missed)

    async def start(self) -> None:
        """After the broker started: reconcile, then run the dispatch loop and housekeeping."""
        await self.prepare()
        self.start_loops()

    def start_loops(self) -> None:
        self.runtime.start_background(self.loop.run, "dispatch-loop")
        for job in self.housekeeping:
            self.runtime.start_background(job.run, job.name)

    async def close(self) -> None:
        await self.redis.aclose()
        await self.rates_http.aclose()
