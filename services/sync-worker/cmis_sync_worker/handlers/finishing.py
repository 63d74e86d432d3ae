"""The ends of an attempt, each one unit of work with the inbox claim of the request, so a
request yields one outcome however often it is delivered: store and ``sync.completed``, or
``sync.failed`` with the retry decision. (The one write in the middle, a refreshed token,
is :mod:`cmis_sync_worker.handlers.refreshing`.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog

from cmis_shared.api_versions import ApiVersion
from cmis_shared.clock import Clock
from cmis_shared.events import DataType, SyncRequested
from cmis_sync_worker.adapters.credentials import CredentialsCodec
from cmis_sync_worker.adapters.integrations import IntegrationRecord
from cmis_sync_worker.domain.failures import Failure
from cmis_sync_worker.domain.outcome import SyncSummary, completed_event, failed_event
from cmis_sync_worker.domain.retry import RetryPolicy
from cmis_sync_worker.domain.runs import FinishedAttempt, InboxKey, RunStatus, run_status_after
from cmis_sync_worker.domain.window import FACTS_DAYS, SyncWindow
from cmis_sync_worker.handlers.fetching import FetchedData
from cmis_sync_worker.ports import SyncMetrics, SyncUnitOfWork

CONSUMER = "sync-worker"
log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Fetched:
    data: FetchedData
    window: SyncWindow
    token_expires_at: datetime | None
    api_version: ApiVersion | None = None  # what the connector spoke


class Finisher:
    def __init__(
        self,
        uow_factory: Callable[[], SyncUnitOfWork],
        codec: CredentialsCodec,
        policy: RetryPolicy,
        clock: Clock,
        metrics: SyncMetrics,
    ) -> None:
        self._uow_factory = uow_factory
        self._codec = codec
        self._policy = policy
        self._clock = clock
        self._metrics = metrics

    async def complete(
        self,
        request: SyncRequested,
        integration: IntegrationRecord,
        fetched: Fetched,
        started_at: datetime,
    ) -> None:
        finished_at = self._clock()
        data = fetched.data
        counts = data.counts()
        org, iid, platform = integration.org_id, integration.id, integration.platform.value
        async with self._uow_factory() as uow:
            if not await uow.runs.finish(
                FinishedAttempt(
                    request.run_id, request.attempt, _inbox_key(request), started_at,
                    finished_at, RunStatus.SUCCESS, counts=counts, synced_integration_id=iid,
                )
            ):  # fmt: skip
                return  # processed before, or another delivery of this attempt finished it
            if data.campaigns is not None:
                await uow.data.upsert_campaigns(org, iid, platform, data.campaigns, finished_at)
            if data.metrics is not None:
                await uow.data.upsert_daily_metrics(org, iid, data.metrics, finished_at)
            if data.posts is not None:
                await uow.data.upsert_posts(org, iid, platform, data.posts, finished_at)
            summary = await self._summary(uow, request, integration, fetched, finished_at)
            await uow.publish(completed_event(request, summary, started_at, finished_at))
            await uow.commit()
        self._metrics.attempt_finished(request.platform, request.data_type, RunStatus.SUCCESS)
        log.info(
            "sync completed", run_id=str(request.run_id), attempt=request.attempt,
            platform=platform, counts=counts,
        )  # fmt: skip

    async def _summary(
        self,
        uow: SyncUnitOfWork,
        request: SyncRequested,
        integration: IntegrationRecord,
        fetched: Fetched,
        finished_at: datetime,
    ) -> SyncSummary:
        """What was stored, and the facts read back from the stored rows."""
        data, window, iid = fetched.data, fetched.window, integration.id
        synced = set(request.data_type.expand())
        campaigns, content, recent = [], None, []
        if synced & {DataType.CAMPAIGNS, DataType.METRICS}:
            campaigns = await uow.facts.campaign_facts(iid, window.today, window.facts_since)
        if DataType.POSTS in synced:
            content = await uow.facts.content_totals(iid, finished_at - timedelta(days=FACTS_DAYS))
            recent = await uow.facts.recent_posts(iid)
        return SyncSummary(
            counts=data.counts(),
            range_start=window.metrics_since if data.metrics is not None else None,
            range_end=window.metrics_until if data.metrics is not None else None,
            currency=integration.currency or _first_currency(data),
            token_expires_at=fetched.token_expires_at,
            token_refreshable=integration.refreshable,
            campaigns=campaigns,
            content_last_30_days=content,
            recent_posts=recent,
            api_version=fetched.api_version,
        )

    async def fail(self, request: SyncRequested, failure: Failure, started_at: datetime) -> None:
        finished_at = self._clock()
        decision = self._policy.decide(failure, request.attempt, finished_at)
        async with self._uow_factory() as uow:
            if not await uow.runs.finish(
                FinishedAttempt(
                    request.run_id, request.attempt, _inbox_key(request), started_at,
                    finished_at, run_status_after(False, decision.will_retry),
                    failure=failure, next_attempt_at=decision.next_attempt_at,
                )
            ):  # fmt: skip
                return
            await uow.publish(
                failed_event(request, failure, decision, self._policy.max_attempts, finished_at)
            )
            await uow.commit()
        self._metrics.attempt_finished(request.platform, request.data_type, RunStatus.FAILED)
        log.info(
            "sync failed", run_id=str(request.run_id), attempt=request.attempt,
            error_class=failure.error_class.value, will_retry=decision.will_retry,
        )  # fmt: skip

    async def reject_unknown_run(
        self, request: SyncRequested, integration: IntegrationRecord | None
    ) -> None:
        """No run row (the requester broke the contract, or the integration was deleted
        with its runs): a final ``sync.failed`` and nothing else recorded."""
        failure = (
            Failure.unavailable("integration not found")
            if integration is None
            else Failure.internal("sync run not found", retryable=False)
        )
        decision = self._policy.decide(failure, request.attempt, self._clock())
        async with self._uow_factory() as uow:
            if not await uow.claim_event(CONSUMER, request.event_id):
                return
            await uow.publish(
                failed_event(request, failure, decision, self._policy.max_attempts, self._clock())
            )
            await uow.commit()
        self._metrics.attempt_finished(request.platform, request.data_type, RunStatus.FAILED)


def _inbox_key(request: SyncRequested) -> InboxKey:
    return InboxKey(CONSUMER, request.event_id)


def _first_currency(data: FetchedData) -> str | None:
    for rows in (data.campaigns, data.metrics):
        if rows:
            return rows[0].currency
    return None
