"""The scheduler's composition root: builds the handlers, the dispatch loop and their
adapters from settings around a :class:`ServiceRuntime`, and runs start-up reconciliation."""

from __future__ import annotations

from datetime import timedelta

import structlog

from cmis_scheduler.adapters.catch_up_store import replan_missed
from cmis_scheduler.adapters.rate_limiter import RedisRateLimiter
from cmis_scheduler.adapters.retry_store import SqlRetryBatch
from cmis_scheduler.adapters.schedule_store import SqlScheduleBatch
from cmis_scheduler.domain.budget import MICROS, RateBudget
from cmis_scheduler.domain.health import HealthPolicy
from cmis_scheduler.domain.schedule import ScheduleDefaults
from cmis_scheduler.handlers.dispatch_retries import RetryDispatch
from cmis_scheduler.handlers.dispatch_scheduled import ScheduledDispatch
from cmis_scheduler.handlers.events import EventHandlers
from cmis_scheduler.handlers.reconcile import reconcile_all
from cmis_scheduler.loop import DispatchLoop
from cmis_scheduler.ports import Clock, SystemClock
from cmis_scheduler.settings import SchedulerSettings
from cmis_scheduler.subscribers import subscribe
from cmis_shared.consumer import EventConsumer
from cmis_shared.events import Platform
from cmis_shared.redis_client import create_redis
from cmis_shared.runtime import ServiceRuntime

log = structlog.get_logger(__name__)


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


class SchedulerService:
    def __init__(
        self, runtime: ServiceRuntime, settings: SchedulerSettings, clock: Clock | None = None
    ) -> None:
        self.runtime = runtime
        self.settings = settings
        self.clock = clock or SystemClock()
        self.defaults = schedule_defaults(settings)
        self.redis = create_redis(settings)
        self.limiter = RedisRateLimiter(
            self.redis, settings.redis_key("scheduler", "budget"), rate_budgets(settings)
        )
        sessions = runtime.sessions
        self.handlers = EventHandlers(
            sessions,
            self.defaults,
            HealthPolicy(
                settings.pause_after_failures, timedelta(seconds=settings.pause_after_seconds)
            ),
            self.clock,
        )
        self.loop = DispatchLoop(
            RetryDispatch(
                lambda: SqlRetryBatch(sessions),
                self.limiter,
                self.clock,
                settings.dispatch_batch_size,
                timedelta(seconds=settings.retry_conflict_delay_seconds),
            ),
            ScheduledDispatch(
                lambda: SqlScheduleBatch(sessions, self.defaults),
                self.limiter,
                self.clock,
                settings.dispatch_batch_size,
            ),
            settings.tick_seconds,
            catch_up=self.catch_up,
            catch_up_after_seconds=settings.catch_up_after_seconds,
        )

    def subscribe(self) -> EventConsumer:
        return subscribe(self.runtime, self.handlers)

    async def prepare(self) -> None:
        """Entries for every integration, then spread whatever was missed while down."""
        written = await reconcile_all(self.runtime.sessions, self.defaults, self.clock.now())
        log.info("schedule reconciled", entries_written=written)
        await self.catch_up()

    async def catch_up(self) -> None:
        missed = await replan_missed(
            self.runtime.sessions,
            self.clock.now(),
            timedelta(seconds=self.settings.catch_up_after_seconds),
            self.settings.catch_up_spread_seconds,
        )
        log.info("missed entries spread", missed_replanned=missed)

    async def start(self) -> None:
        """After the broker started: reconcile, then run the dispatch loop."""
        await self.prepare()
        self.start_loops()

    def start_loops(self) -> None:
        self.runtime.start_background(self.loop.run, "dispatch-loop")

    async def close(self) -> None:
        await self.redis.aclose()
