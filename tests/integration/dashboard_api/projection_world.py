"""The writes of the owning services, for the projection property test: each action writes
the rows its owner writes (through the owner's own adapter where one exists) and returns the
event(s) its owner publishes, so the test can feed both projections the same history.

Owners: integrations and the organization's settings by dashboard-api
(``adapters/integrations.py``, ``handlers/settings.py``), sync runs requested by
dashboard-api or the scheduler, started and finished by the sync worker (``RunRepository``,
``PlatformDataStore``, ``FactsReader``), alerts by alerting.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cmis_dashboard_api import admin
from cmis_dashboard_api.adapters import integrations
from cmis_dashboard_api.adapters.unit_of_work import SqlUnitOfWork
from cmis_dashboard_api.domain.org_settings import TriggerLimit
from cmis_dashboard_api.handlers.settings import change_settings
from cmis_dashboard_api.ports import IntegrationChange, Principal
from cmis_shared.clock import ManualClock
from cmis_shared.crypto import TokenCipher
from cmis_shared.db.models import Alert, SyncRun
from cmis_shared.events import (
    AlertRaised,
    AlertResolved,
    AlertType,
    DataType,
    ErrorClass,
    Event,
    Platform,
    Severity,
    SyncFailed,
    SyncRequested,
    SyncStarted,
    SyncTrigger,
)
from cmis_shared.statuses import AlertStatus, IntegrationStatus
from cmis_sync_worker.adapters.facts import FactsReader
from cmis_sync_worker.adapters.platform_data import PlatformDataStore
from cmis_sync_worker.adapters.runs import RunRepository
from cmis_sync_worker.connectors.base import (
    NormalizedCampaign,
    NormalizedDailyMetric,
    NormalizedPost,
)
from cmis_sync_worker.domain.failures import Failure
from cmis_sync_worker.domain.outcome import SyncSummary, completed_event
from cmis_sync_worker.domain.runs import FinishedAttempt, InboxKey, RunStatus
from cmis_sync_worker.domain.window import FACTS_DAYS, account_today

PLATFORMS = (Platform.GOOGLE, Platform.META, Platform.LINKEDIN)
TIMEZONES = ("UTC", "America/New_York", "UTC")
# Each slot's account currency: the organization's figures convert between them (SAR has no
# rate in the test's book, so its campaigns stay out of the totals).
CURRENCIES = ("USD", "EUR", "SAR")


@dataclass(frozen=True)
class Payload:
    """What a platform returned: campaigns, daily metrics and posts (relative times)."""

    campaigns: list[tuple[str, str, int | None]]  # external id, status, budget
    metrics: list[tuple[str, int, int, int, int]]  # campaign, days ago, impr., clicks, cents
    posts: list[tuple[str, int, int, int]]  # external id, hours ago, likes, impressions


@dataclass
class Lane:
    request: SyncRequested
    status: RunStatus
    started_at: datetime | None = None


class CapturingUnitOfWork(SqlUnitOfWork):
    """The dashboard's own unit of work, also keeping what it published."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], cipher: TokenCipher) -> None:
        super().__init__(sessions, cipher)
        self.published: list[Event] = []

    async def publish(self, *events: Event) -> None:
        self.published.extend(events)
        await super().publish(*events)


class World:
    """One organization's history, written to PostgreSQL as its owners write it."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        connection: asyncpg.Connection,
        cipher: TokenCipher,
        org_id: uuid.UUID,
        clock: ManualClock,
    ) -> None:
        self._sessions, self._connection, self._cipher = sessions, connection, cipher
        self.org_id, self.clock = org_id, clock
        self.integrations: dict[int, uuid.UUID] = {}
        self.disconnected: set[int] = set()
        self.lanes: dict[tuple[int, DataType], Lane] = {}
        self.open_alerts: dict[tuple[AlertType, int], AlertRaised] = {}
        self._step = 0
        self._admin: Principal | None = None

    def tick(self) -> datetime:
        self._step += 1
        self.clock.advance(timedelta(minutes=1))
        return self.clock()

    async def connect(self, slot: int) -> list[Event]:
        values: dict[str, Any] = {
            "platform": PLATFORMS[slot],
            "account_id": f"acct-{slot}",
            "account_name": f"Account {slot}",
            "currency": CURRENCIES[slot],
            "timezone": TIMEZONES[slot],
        }
        async with CapturingUnitOfWork(self._sessions, self._cipher) as uow:
            row = await integrations.connect(
                uow, self._cipher, self.org_id, values, {"access_token": "t"}
            )
            await uow.commit()
        self.integrations[slot] = row.id
        self.disconnected.discard(slot)
        return uow.published

    async def set_currency(self, currency: str | None) -> list[Event]:
        """An admin chooses the organization's currency (None: back to the first account's)."""
        async with self._sessions() as session, session.begin():
            if self._admin is None:
                user, _ = await admin.create_user(session, f"admin-{self.org_id}@example.test")
                self._admin = Principal(
                    user.id, user.email, frozenset({self.org_id}), frozenset({self.org_id})
                )
        uow = CapturingUnitOfWork(self._sessions, self._cipher)
        await change_settings(
            uow, self.org_id, self._admin, {"currency": currency}, TriggerLimit(10, 60)
        )
        return uow.published

    async def set_paused(self, slot: int, paused: bool) -> list[Event]:
        status = IntegrationStatus.PAUSED if paused else IntegrationStatus.ACTIVE
        async with CapturingUnitOfWork(self._sessions, self._cipher) as uow:
            await uow.integrations.update(
                self.org_id, self.integrations[slot], IntegrationChange({"status": status})
            )
            await uow.commit()
        return uow.published

    async def disconnect(self, slot: int) -> list[Event]:
        async with CapturingUnitOfWork(self._sessions, self._cipher) as uow:
            await uow.integrations.disconnect(self.org_id, self.integrations[slot], self.tick())
            await uow.commit()
        self.disconnected.add(slot)
        return uow.published

    async def request(self, slot: int, data_type: DataType) -> list[Event]:
        """A new run (the scheduler's or a click), or the retry of a run waiting for it."""
        at, known = self.tick(), self.lanes.get((slot, data_type))
        if known is not None and known.status is RunStatus.RETRYING:
            previous = known.request
            request = previous.model_copy(
                update={
                    "event_id": uuid.uuid4(),
                    "attempt": previous.attempt + 1,
                    "trigger": SyncTrigger.RETRY,
                    "occurred_at": at,
                }
            )
            async with self._sessions() as session, session.begin():
                await session.execute(
                    update(SyncRun)
                    .where(SyncRun.id == request.run_id)
                    .values(status=RunStatus.QUEUED, attempt=request.attempt, next_attempt_at=None)
                )
        else:
            request = SyncRequested(
                org_id=self.org_id,
                run_id=uuid.uuid4(),
                integration_id=self.integrations[slot],
                platform=PLATFORMS[slot],
                data_type=data_type,
                trigger=SyncTrigger.SCHEDULED,
                attempt=1,
                occurred_at=at,
            )
            async with self._sessions() as session, session.begin():
                await session.execute(
                    insert(SyncRun).values(
                        id=request.run_id,
                        org_id=self.org_id,
                        integration_id=request.integration_id,
                        platform=request.platform,
                        data_type=data_type,
                        trigger=request.trigger,
                        correlation_id=request.correlation_id or uuid.uuid4(),
                        status=RunStatus.QUEUED,
                        attempt=1,
                        requested_at=at,
                    )
                )
        self.lanes[(slot, data_type)] = Lane(request, RunStatus.QUEUED)
        return [request]

    async def start(self, lane: Lane) -> list[Event]:
        at, request = self.tick(), lane.request
        started = SyncStarted(**_same_run(request), started_at=at, occurred_at=at)
        async with self._connection.transaction():
            await self._runs().start(request.run_id, request.attempt, at, started)
        lane.status, lane.started_at = RunStatus.RUNNING, at
        return [started]

    async def complete(self, lane: Lane, payload: Payload) -> list[Event]:
        at, request = self.tick(), lane.request
        started_at = lane.started_at or at
        iid, platform = request.integration_id, request.platform.value
        synced = set(request.data_type.expand())
        today = account_today(at, TIMEZONES[self._slot_of(iid)])
        facts = FactsReader(self._connection)
        async with self._connection.transaction():
            await self._runs().finish(
                FinishedAttempt(
                    request.run_id,
                    request.attempt,
                    InboxKey("sync-worker", request.event_id),
                    started_at,
                    at,
                    RunStatus.SUCCESS,
                    synced_integration_id=iid,
                )
            )
            data = PlatformDataStore(self._connection)
            currency = CURRENCIES[self._slot_of(iid)]
            if DataType.CAMPAIGNS in synced:
                campaigns_in = _campaigns(payload, currency)
                await data.upsert_campaigns(self.org_id, iid, platform, campaigns_in, at)
            if DataType.METRICS in synced:
                metrics_in = _metrics(payload, today, currency)
                await data.upsert_daily_metrics(self.org_id, iid, metrics_in, at)
            if DataType.POSTS in synced:
                await data.upsert_posts(self.org_id, iid, platform, _posts(payload, at), at)
            campaigns, content, recent = [], None, []
            if synced & {DataType.CAMPAIGNS, DataType.METRICS}:
                since = today - timedelta(days=FACTS_DAYS - 1)
                campaigns = await facts.campaign_facts(iid, today, since)
            if DataType.POSTS in synced:
                content = await facts.content_totals(iid, at - timedelta(days=FACTS_DAYS))
                recent = await facts.recent_posts(iid)
        summary = SyncSummary(
            counts={}, campaigns=campaigns, content_last_30_days=content, recent_posts=recent
        )
        lane.status = RunStatus.SUCCESS
        event = completed_event(request, summary, started_at, at)
        return [event.model_copy(update={"occurred_at": at})]

    async def fail(self, lane: Lane, will_retry: bool) -> list[Event]:
        at, request = self.tick(), lane.request
        failure = Failure.internal("platform said no", retryable=will_retry)
        status = RunStatus.RETRYING if will_retry else RunStatus.FAILED
        next_at = at + timedelta(minutes=5) if will_retry else None
        async with self._connection.transaction():
            await self._runs().finish(
                FinishedAttempt(
                    request.run_id,
                    request.attempt,
                    InboxKey("sync-worker", request.event_id),
                    lane.started_at or at,
                    at,
                    status,
                    failure=failure,
                    next_attempt_at=next_at,
                )
            )
        lane.status = status
        event = SyncFailed(
            **_same_run(request),
            error_class=ErrorClass.INTERNAL_ERROR,
            message=failure.message,
            retryable=will_retry,
            will_retry=will_retry,
            next_attempt_at=next_at,
            occurred_at=at,
        )
        return [event]

    async def raise_alert(
        self, alert_type: AlertType, slot: int, severity: Severity
    ) -> list[Event]:
        at, alert_id, subject = self.tick(), uuid.uuid4(), self.integrations[slot]
        message = f"{alert_type} on {slot}"
        async with self._sessions() as session, session.begin():
            await session.execute(
                insert(Alert).values(
                    id=alert_id, org_id=self.org_id, alert_type=alert_type,
                    subject_type="integration", subject_id=subject, severity=severity,
                    status=AlertStatus.OPEN, message=message, first_seen_at=at, last_seen_at=at,
                )
            )  # fmt: skip
        # Published after the fact it reports (alerting's clock, not the observation's).
        event = AlertRaised(
            org_id=self.org_id, alert_id=alert_id, alert_type=alert_type,
            subject_type="integration", subject_id=subject, severity=severity, message=message,
            first_seen_at=at, occurred_at=at + timedelta(seconds=1),
        )  # fmt: skip
        self.open_alerts[(alert_type, slot)] = event
        return [event]

    async def touch_alert(self, key: tuple[AlertType, int]) -> list[Event]:
        """The rule fired again at the same severity: alerting moves ``last_seen_at`` and
        publishes nothing."""
        at = self.tick()
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(Alert)
                .where(Alert.id == self.open_alerts[key].alert_id)
                .values(last_seen_at=at)
            )
        return []

    async def resolve_alert(self, key: tuple[AlertType, int]) -> list[Event]:
        at, raised = self.tick(), self.open_alerts.pop(key)
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(Alert)
                .where(Alert.id == raised.alert_id)
                .values(status=AlertStatus.RESOLVED, resolved_at=at)
            )
        fields = raised.model_dump(
            include=set(AlertResolved.model_fields) - {"event_id", "event_type"}
        )
        return [AlertResolved(**{**fields, "reason": "recovered", "occurred_at": at})]

    def _runs(self) -> RunRepository:
        return RunRepository(self._connection, "property-test")

    def _slot_of(self, integration_id: uuid.UUID) -> int:
        return next(slot for slot, iid in self.integrations.items() if iid == integration_id)


def _same_run(request: SyncRequested) -> dict[str, Any]:
    keep = {"org_id", "run_id", "integration_id", "platform", "data_type", "trigger", "attempt"}
    return request.model_dump(include=keep)


def _campaigns(payload: Payload, currency: str) -> list[NormalizedCampaign]:
    return [
        NormalizedCampaign(
            external_id=external_id,
            name=f"Campaign {external_id}",
            status=status,
            currency=currency,
            budget_amount=None if budget is None else Decimal(budget),
        )
        for external_id, status, budget in payload.campaigns
    ]


def _metrics(payload: Payload, today: date, currency: str) -> list[NormalizedDailyMetric]:
    return [
        NormalizedDailyMetric(
            campaign_external_id=campaign,
            day=today - timedelta(days=days_ago),
            currency=currency,
            impressions=impressions,
            clicks=clicks,
            spend=Decimal(cents) / 100,
            conversions=Decimal(clicks // 3),
            conversion_value=Decimal(cents) / 50,
        )
        for campaign, days_ago, impressions, clicks, cents in payload.metrics
    ]


def _posts(payload: Payload, at: datetime) -> list[NormalizedPost]:
    # Seconds from the sync time keep publication times distinct across syncs: the order of
    # posts published at the very same instant is arbitrary in both projections.
    return [
        NormalizedPost(
            external_id=external_id,
            text=f"Post {external_id}",
            published_at=at - timedelta(hours=hours_ago, seconds=index),
            likes=likes,
            comments=likes // 2,
            shares=likes // 5,
            impressions=impressions,
        )
        for index, (external_id, hours_ago, likes, impressions) in enumerate(payload.posts)
    ]
