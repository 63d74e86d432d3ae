"""Hand-written fakes of the sync worker's ports: an in-memory unit of work (state copied on
enter, swapped in on commit, so a rollback really discards), a scriptable connector and a
limiter that only counts."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Self
from uuid import UUID, uuid4

from cmis_shared.api_versions import ApiVersion
from cmis_shared.events import (
    CampaignFact,
    ContentTotals,
    Event,
    IntegrationStatus,
    MetricTotals,
    Platform,
    PostFact,
    SyncStarted,
)
from cmis_sync_worker.adapters.integrations import IntegrationRecord
from cmis_sync_worker.connectors.base import (
    AccountRef,
    AuthRevoked,
    Credentials,
    NormalizedCampaign,
    NormalizedDailyMetric,
    NormalizedPost,
)
from cmis_sync_worker.domain.integration import SealedCredentials, StoredCredentials
from cmis_sync_worker.domain.runs import FinishedAttempt, RunSnapshot, RunStatus
from tests.support.fake_unit_of_work import FakeInboxOutbox


@dataclass
class FakeState:
    runs: dict[UUID, dict[str, Any]] = field(default_factory=dict)
    attempts: dict[tuple[UUID, int], dict[str, Any]] = field(default_factory=dict)
    integrations: dict[UUID, IntegrationRecord] = field(default_factory=dict)
    campaigns: dict[tuple[UUID, str], NormalizedCampaign] = field(default_factory=dict)
    metrics: dict[tuple[UUID, str, date], NormalizedDailyMetric] = field(default_factory=dict)
    posts: dict[tuple[UUID, str], NormalizedPost] = field(default_factory=dict)
    processed: set[tuple[str, UUID]] = field(default_factory=set)
    published: list[Event] = field(default_factory=list)
    synced_at: dict[UUID, datetime] = field(default_factory=dict)


class _Repos:
    def __init__(self, state: FakeState) -> None:
        self.s = state

    # runs
    async def snapshot(self, run_id: UUID, attempt: int) -> RunSnapshot | None:
        run = self.s.runs.get(run_id)
        if run is None:
            return None
        row = self.s.attempts.get((run_id, attempt))
        finished = row is not None and row["finished_at"] is not None
        return RunSnapshot(RunStatus(run["status"]), run["attempt"], row is not None, finished)

    async def snapshot_with_integration(
        self, run_id: UUID, attempt: int, integration_id: UUID
    ) -> tuple[RunSnapshot | None, IntegrationRecord | None]:
        return await self.snapshot(run_id, attempt), await self.get(integration_id)

    async def start(
        self, run_id: UUID, attempt: int, started_at: datetime, announce: SyncStarted
    ) -> bool:
        self.s.runs[run_id].update(status="running", attempt=attempt, started_at=started_at)
        if (run_id, attempt) in self.s.attempts:
            return False
        self.s.attempts[(run_id, attempt)] = {"finished_at": None}
        self.s.published.append(announce)  # with this copy of the state: only on commit
        return True

    async def finish(self, outcome: FinishedAttempt) -> bool:
        # Changes to this copy of the state stick only if the unit of work commits.
        request = outcome.request
        if (request.consumer, request.event_id) in self.s.processed:
            return False
        self.s.processed.add((request.consumer, request.event_id))
        row = self.s.attempts.setdefault((outcome.run_id, outcome.attempt), {"finished_at": None})
        if row["finished_at"] is not None:
            return False
        row.update(finished_at=outcome.finished_at, failure=outcome.failure)
        self.s.runs[outcome.run_id].update(
            status=outcome.status.value, attempt=outcome.attempt,
            next_attempt_at=outcome.next_attempt_at, counts=dict(outcome.counts),
        )  # fmt: skip
        if outcome.synced_integration_id is not None:
            self.s.synced_at[outcome.synced_integration_id] = outcome.finished_at
        return True

    # integrations
    async def get(self, integration_id: UUID) -> IntegrationRecord | None:
        return self.s.integrations.get(integration_id)

    async def read_credentials(self, integration_id: UUID) -> StoredCredentials | None:
        record = self.s.integrations.get(integration_id)
        if record is None:
            return None
        return StoredCredentials(
            record.credentials_encrypted, record.token_expires_at, record.credentials_version
        )

    async def save_credentials(
        self, integration_id: UUID, sealed: SealedCredentials, expected_version: int
    ) -> int | None:
        record = self.s.integrations[integration_id]
        if record.credentials_version != expected_version:
            return None
        self.s.integrations[integration_id] = replace(
            record,
            credentials_encrypted=sealed.ciphertext,
            token_expires_at=sealed.expires_at,
            credentials_version=expected_version + 1,
        )
        return expected_version + 1

    # platform data
    async def upsert_campaigns(
        self, org_id: UUID, integration_id: UUID, platform: str,
        campaigns: Sequence[NormalizedCampaign], synced_at: datetime,
    ) -> None:  # fmt: skip
        self.s.campaigns.update({(integration_id, c.external_id): c for c in campaigns})

    async def upsert_daily_metrics(
        self, org_id: UUID, integration_id: UUID,
        metrics: Sequence[NormalizedDailyMetric], synced_at: datetime,
    ) -> None:  # fmt: skip
        self.s.metrics.update({(integration_id, m.campaign_external_id, m.day): m for m in metrics})

    async def upsert_posts(
        self, org_id: UUID, integration_id: UUID, platform: str,
        posts: Sequence[NormalizedPost], synced_at: datetime,
    ) -> None:  # fmt: skip
        self.s.posts.update({(integration_id, p.external_id): p for p in posts})

    # facts
    async def campaign_facts(
        self, integration_id: UUID, today: date, since_30: date
    ) -> list[CampaignFact]:
        facts = []
        for (iid, external_id), c in sorted(self.s.campaigns.items()):
            if iid != integration_id:
                continue
            rows = [m for (i, e, _), m in self.s.metrics.items() if i == iid and e == external_id]
            recent = [m for m in rows if since_30 <= m.day <= today]
            facts.append(
                CampaignFact(
                    campaign_id=uuid4(), external_id=external_id, name=c.name, status=c.status,
                    currency=c.currency, budget_amount=c.budget_amount,
                    budget_period=c.budget_period,
                    spend_today=sum((m.spend for m in rows if m.day == today), Decimal(0)),
                    spend_lifetime=sum((m.spend for m in rows if m.day <= today), Decimal(0)),
                    last_30_days=MetricTotals(
                        spend=sum((m.spend for m in recent), Decimal(0)),
                        impressions=sum(m.impressions for m in recent),
                        clicks=sum(m.clicks for m in recent),
                    ),
                )
            )  # fmt: skip
        return facts

    async def content_totals(self, integration_id: UUID, since: datetime) -> ContentTotals:
        posts = [p for (i, _), p in self.s.posts.items() if i == integration_id]
        recent = [p for p in posts if p.published_at >= since]
        return ContentTotals(
            posts_published=len(recent),
            interactions=sum(p.likes + p.comments + p.shares for p in recent),
            impressions=sum(p.impressions for p in recent),
        )

    async def recent_posts(self, integration_id: UUID) -> list[PostFact]:
        posts = [p for (i, _), p in self.s.posts.items() if i == integration_id]
        posts.sort(key=lambda p: p.published_at, reverse=True)
        return [
            PostFact(post_id=uuid4(), external_id=p.external_id, text=p.text,
                     published_at=p.published_at, likes=p.likes)
            for p in posts[:10]
        ]  # fmt: skip


class FakeUnitOfWork(FakeInboxOutbox):
    def __init__(self, store: FakeStore) -> None:
        self._store = store
        self.committed = False

    async def __aenter__(self) -> Self:
        self._state = copy.deepcopy(self._store.state)
        repos = _Repos(self._state)
        self.runs = self.integrations = self.data = self.facts = repos
        self._outbox: list[Event] = []
        return self


class FakeStore:
    def __init__(self) -> None:
        self.state = FakeState()

    def uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self)

    def events(self, kind: type[Event] | None = None) -> list[Event]:
        return [e for e in self.state.published if kind is None or isinstance(e, kind)]


@dataclass
class FakeConnector:
    platform: Platform = Platform.GOOGLE
    default_lookback_days: int = 7
    supports_refresh: bool = True
    api_version: ApiVersion = field(
        default_factory=lambda: ApiVersion(Platform.GOOGLE, "v24", date(2027, 5, 1))
    )
    campaigns: list[NormalizedCampaign] = field(default_factory=list)
    metrics: list[NormalizedDailyMetric] = field(default_factory=list)
    posts: list[NormalizedPost] = field(default_factory=list)
    errors: list[Exception] = field(default_factory=list)  # raised by the next calls, in order
    refuse_refresh: bool = False
    calls: list[str] = field(default_factory=list)
    windows: list[tuple[date, date]] = field(default_factory=list)
    tokens_seen: list[str] = field(default_factory=list)

    def _next_error(self) -> None:
        if self.errors:
            raise self.errors.pop(0)

    async def refresh_token(self, credentials: Credentials) -> Credentials:
        self.calls.append("refresh")
        if self.refuse_refresh:
            raise AuthRevoked(self.platform, "invalid_grant: token revoked")
        return replace(
            credentials,
            access_token=f"fresh-{len(self.calls)}",
            expires_at=datetime.now(UTC) + timedelta(hours=1),
        )

    async def fetch_campaigns(
        self, account: AccountRef, credentials: Credentials
    ) -> list[NormalizedCampaign]:
        self.calls.append("campaigns")
        self.tokens_seen.append(credentials.access_token)
        self._next_error()
        return list(self.campaigns)

    async def fetch_daily_metrics(
        self, account: AccountRef, credentials: Credentials, since: date, until: date
    ) -> list[NormalizedDailyMetric]:
        self.calls.append("metrics")
        self.tokens_seen.append(credentials.access_token)
        self.windows.append((since, until))
        self._next_error()
        return [m for m in self.metrics if since <= m.day <= until]

    async def fetch_posts(
        self, account: AccountRef, credentials: Credentials, since: datetime | None
    ) -> list[NormalizedPost]:
        self.calls.append("posts")
        self.tokens_seen.append(credentials.access_token)
        self._next_error()
        return [p for p in self.posts if since is None or p.published_at >= since]


class CountingLimiter:
    def __init__(self) -> None:
        self.held = 0
        self.max_held = 0
        self.granted = 0

    @asynccontextmanager
    async def slot(self, platform: Platform, account_id: str) -> AsyncIterator[None]:
        self.held += 1
        self.granted += 1
        self.max_held = max(self.max_held, self.held)
        try:
            yield
        finally:
            self.held -= 1


def integration_record(
    org_id: UUID, ciphertext: bytes, *, status: IntegrationStatus = IntegrationStatus.ACTIVE,
    expires_at: datetime | None = None, platform: Platform = Platform.GOOGLE,
    latest_metric_day: date | None = date(2025, 6, 14),
) -> IntegrationRecord:  # fmt: skip
    return IntegrationRecord(
        id=uuid4(), org_id=org_id, platform=platform, account_id="1234567890",
        account_name="Acme", currency="USD", timezone="America/New_York", status=status,
        status_reason=None, credentials_encrypted=ciphertext, token_expires_at=expires_at,
        refreshable=True, latest_metric_day=latest_metric_day,
    )  # fmt: skip
