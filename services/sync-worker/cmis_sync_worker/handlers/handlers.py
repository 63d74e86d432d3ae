"""The use case: one ``sync.requested`` in, platform data stored and exactly one outcome out.

1. Begin (one unit of work): look at the run and the requested attempt; a finished or stale
   attempt is acked without effect; otherwise mark the run running, record the attempt and
   emit ``sync.started``.
2. Fetch (no transaction open): token first, then each data type from the platform.
3. Finish (one unit of work, with the inbox claim of the request): store the data, finish
   the attempt and the run, and emit ``sync.completed`` or ``sync.failed``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

import structlog

from cmis_shared.clock import Clock, system_clock
from cmis_shared.crypto import CredentialsDecryptionError
from cmis_shared.events import DataType, Platform, SyncRequested
from cmis_shared.statuses import RunStatus
from cmis_sync_worker.adapters.credentials import CredentialsCodec
from cmis_sync_worker.adapters.integrations import IntegrationRecord
from cmis_sync_worker.connectors.base import AccountRef, ConnectorError, PlatformConnector
from cmis_sync_worker.domain.failures import Failure, LimitWaitExceeded
from cmis_sync_worker.domain.outcome import started_event
from cmis_sync_worker.domain.platform_ids import invalid_id_reason
from cmis_sync_worker.domain.retry import RetryPolicy
from cmis_sync_worker.domain.runs import (
    IntegrationState,
    StartDecision,
    decide_start,
    unavailable_reason,
)
from cmis_sync_worker.domain.window import DEFAULT_BACKFILL_DAYS, sync_window
from cmis_sync_worker.handlers.fetching import AccountFetch
from cmis_sync_worker.handlers.finishing import Fetched, Finisher
from cmis_sync_worker.handlers.refreshing import InProcessRefreshLock, TokenRefresher
from cmis_sync_worker.ports import PlatformLimiter, RefreshLock, SyncMetrics, SyncUnitOfWork

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class SyncConfig:
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    token_refresh_margin: timedelta = timedelta(minutes=5)
    lookback_days: Mapping[Platform, int] | None = None
    posts_lookback_days: int = 30
    max_concurrent_syncs: int = 256
    backfill_days: int = DEFAULT_BACKFILL_DAYS


class UncountedMetrics:
    """No figures (a handler built without a metrics registry: benchmarks, unit tests)."""

    def attempt_finished(self, platform: Platform, data_type: DataType, outcome: RunStatus) -> None:
        return None

    def token_refresh_failed(self, platform: Platform, reason: str) -> None:
        return None


class SyncRequestHandler:
    def __init__(
        self,
        uow_factory: Callable[[], SyncUnitOfWork],
        connectors: Mapping[Platform, PlatformConnector],
        limiter: PlatformLimiter,
        codec: CredentialsCodec,
        config: SyncConfig = SyncConfig(),
        clock: Clock = system_clock,
        refresh_lock: RefreshLock | None = None,
        metrics: SyncMetrics | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._connectors = connectors
        self._limiter = limiter
        self._codec = codec
        self._config = config
        self._clock = clock
        metrics = metrics or UncountedMetrics()
        self._finisher = Finisher(uow_factory, codec, config.policy, clock, metrics)
        self._refresher = TokenRefresher(
            uow_factory, codec, refresh_lock or InProcessRefreshLock(), metrics
        )
        self._slots = asyncio.Semaphore(config.max_concurrent_syncs)

    async def __call__(self, request: SyncRequested) -> None:
        async with self._slots:
            await self.handle(request)

    async def handle(self, request: SyncRequested) -> None:
        started_at = self._clock()
        async with self._uow_factory() as uow:
            snapshot, integration = await uow.runs.snapshot_with_integration(
                request.run_id, request.attempt, request.integration_id
            )
            decision = decide_start(snapshot, request.attempt)
            if decision in (StartDecision.ALREADY_FINISHED, StartDecision.STALE):
                log.info(
                    "request without effect", decision=decision.value, run_id=str(request.run_id)
                )
                return
            if decision is StartDecision.START:
                await uow.runs.start(
                    request.run_id, request.attempt, started_at, started_event(request, started_at)
                )
            await uow.commit()
        if decision is StartDecision.UNKNOWN_RUN:
            await self._finisher.reject_unknown_run(request, integration)
            return
        outcome = await self._fetch(request, integration)
        if isinstance(outcome, Failure):
            await self._finisher.fail(request, outcome, started_at)
        else:
            assert integration is not None  # _fetch fails when it is missing
            await self._finisher.complete(request, integration, outcome, started_at)

    async def _fetch(
        self, request: SyncRequested, integration: IntegrationRecord | None
    ) -> Failure | Fetched:
        if integration is not None and (
            integration.org_id != request.org_id or integration.platform != request.platform
        ):
            return Failure.unavailable("integration does not match the request")
        state = IntegrationState(integration.status) if integration else None
        if reason := unavailable_reason(state, request.trigger):
            return Failure.unavailable(reason)
        assert integration is not None
        connector = self._connectors.get(integration.platform)
        if connector is None:
            return Failure.internal(f"no connector for {integration.platform}", retryable=False)
        if reason := invalid_id_reason(
            integration.platform, integration.account_id, integration.account_extra
        ):
            return Failure.config_error(reason)
        try:
            credentials = self._codec.decode(
                integration.credentials_encrypted, integration.token_expires_at
            )
        except CredentialsDecryptionError as error:
            return Failure.internal(str(error), retryable=False)
        account = AccountRef(
            platform=integration.platform,
            account_id=integration.account_id,
            timezone=integration.timezone,
            currency=integration.currency,
            extra=integration.account_extra,
        )
        fetch = AccountFetch(
            connector,
            self._limiter,
            account,
            credentials,
            self._refresher.for_sync(request, integration, connector),
        )
        now = self._clock()
        lookback = (self._config.lookback_days or {}).get(
            integration.platform, connector.default_lookback_days
        )
        window = sync_window(
            now, integration.timezone, lookback, self._config.posts_lookback_days,
            request.window_start, request.window_end,
            latest_stored_day=integration.latest_metric_day,
            backfill_days=self._config.backfill_days,
        )  # fmt: skip
        try:
            await fetch.ensure_fresh_token(now, self._config.token_refresh_margin)
            data = await fetch.fetch(request.data_type.expand(), window)
        except ConnectorError as error:
            return Failure.from_connector(error)
        except LimitWaitExceeded as error:
            return Failure.rate_limited_locally(error.waited_seconds)
        except Exception as error:  # a connector bug must end the attempt, not loop
            log.exception("connector failed unexpectedly", platform=integration.platform.value)
            return Failure.internal(f"connector failed: {type(error).__name__}", retryable=True)
        return Fetched(data, window, fetch.credentials.expires_at, connector.api_version)
