"""The sync worker's one composition root: runtime, platform connectors, shared limiter,
unit of work and consumer, wired from settings into the handler.

Concurrency: every delivery runs as its own task (aio-pika); each request lane's consumer
prefetches ``prefetch_count`` and the lanes' priority gate lets ``prefetch_count`` syncs run at
once, a higher lane's first (:mod:`cmis_sync_worker.subscribers`), further capped by
``max_concurrent_syncs``. On SIGTERM FastStream stops
consuming and waits ``graceful_timeout_seconds`` for in-flight syncs; what is not finished
by then is returned to the queue unacked and runs again elsewhere (the handler is
idempotent). After SIGKILL the broker returns the unacked messages the same way.

The platform HTTP client is deliberately not traced by the httpx instrumentation: span
attributes would carry full URLs, and Meta puts access tokens in query strings.
"""

from __future__ import annotations

import os
from datetime import timedelta

import asyncpg
from faststream import FastStream
from opentelemetry.sdk.trace import TracerProvider

from cmis_shared.clock import Clock, system_clock
from cmis_shared.crypto import TokenCipher
from cmis_shared.redis_client import create_redis
from cmis_shared.runtime import ServiceRuntime
from cmis_sync_worker.adapters.credentials import CredentialsCodec
from cmis_sync_worker.adapters.limiter import RedisPlatformLimiter
from cmis_sync_worker.adapters.metrics import PrometheusSyncMetrics
from cmis_sync_worker.adapters.pg import open_pool
from cmis_sync_worker.adapters.refresh_lock import PostgresRefreshLock
from cmis_sync_worker.adapters.unit_of_work import PostgresSyncUnitOfWork
from cmis_sync_worker.connectors.registry import build_connectors
from cmis_sync_worker.connectors.transport import make_http_client
from cmis_sync_worker.domain.retry import RetryPolicy
from cmis_sync_worker.handlers import SyncConfig, SyncRequestHandler
from cmis_sync_worker.settings import SyncWorkerSettings
from cmis_sync_worker.subscribers import subscribe


def sync_config(settings: SyncWorkerSettings) -> SyncConfig:
    return SyncConfig(
        policy=RetryPolicy(settings.retry_backoff_seconds, settings.max_attempts),
        token_refresh_margin=timedelta(seconds=settings.token_refresh_margin_seconds),
        lookback_days=settings.lookback_days,
        posts_lookback_days=settings.posts_lookback_days,
        backfill_days=settings.backfill_days,
        max_concurrent_syncs=settings.max_concurrent_syncs,
    )


class SyncWorker:
    """Everything one worker process holds, built from settings."""

    def __init__(
        self,
        settings: SyncWorkerSettings,
        tracer_provider: TracerProvider | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.settings = settings
        self.runtime = ServiceRuntime(settings, tracer_provider)
        self.worker_id = f"{self.runtime.instance_id}:{os.getpid()}"
        endpoints = settings.endpoints()
        self.http = make_http_client(endpoints)
        self.redis = create_redis(settings)
        self.runtime.add_check("redis", self.redis.ping)
        limiter = RedisPlatformLimiter(
            self.redis,
            settings.redis_key,
            platform_concurrency=settings.concurrency_for,
            account_concurrency=settings.account_concurrency,
            calls_per_second=settings.calls_per_second_for,
            lease_seconds=settings.limiter_lease_seconds,
            max_wait_seconds=settings.limiter_max_wait_seconds,
        )
        self.pool: asyncpg.Pool | None = None  # opened on start-up, on the running loop
        self.refresh_lock = PostgresRefreshLock(self._pool, settings.database_pool_size)
        self.handler = SyncRequestHandler(
            self._unit_of_work,
            build_connectors(self.http, endpoints),
            limiter,
            CredentialsCodec(TokenCipher(settings.encryption_keys)),
            sync_config(settings),
            clock,
            self.refresh_lock,
            PrometheusSyncMetrics(self.runtime.metrics),
        )
        self.consumers = subscribe(self.runtime, self.handler)

    def _pool(self) -> asyncpg.Pool:
        if self.pool is None:
            raise RuntimeError("the sync worker's database pool is not open (call open())")
        return self.pool

    def _unit_of_work(self) -> PostgresSyncUnitOfWork:
        return PostgresSyncUnitOfWork(self._pool(), self.worker_id, self.settings.write_batch_size)

    async def open(self) -> None:
        """Before the subscribers start."""
        self.pool = await open_pool(self.settings)

    async def close(self) -> None:
        """After the broker stopped: no sync is running any more."""
        await self.http.aclose()
        await self.redis.aclose()
        if self.pool is not None:
            await self.pool.close()

    def app(self) -> FastStream:
        app = self.runtime.faststream_app()
        app.on_startup(self.open)
        app.after_shutdown(self.close)
        return app
