"""What the handlers need from the outside world, as Protocols only: the unit of work with its
repositories, the shared platform limiter and the platform connectors. Adapters implement
them over PostgreSQL, Redis and the platforms' HTTP APIs; unit tests implement them with
fakes. The values they carry live in :mod:`cmis_sync_worker.domain`."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from cmis_shared.api_versions import ApiVersion
from cmis_shared.events import (
    CampaignFact,
    ContentTotals,
    DataType,
    Platform,
    PostFact,
    SyncStarted,
)
from cmis_shared.ports import InboxOutboxUnitOfWork
from cmis_shared.statuses import RunStatus
from cmis_sync_worker.domain.integration import (
    IntegrationRecord,
    SealedCredentials,
    StoredCredentials,
)
from cmis_sync_worker.domain.platform import (
    AccountRef,
    Credentials,
    NormalizedCampaign,
    NormalizedDailyMetric,
    NormalizedPost,
)
from cmis_sync_worker.domain.runs import FinishedAttempt, RunSnapshot


class Runs(Protocol):
    async def snapshot(self, run_id: UUID, attempt: int) -> RunSnapshot | None: ...
    async def snapshot_with_integration(
        self, run_id: UUID, attempt: int, integration_id: UUID
    ) -> tuple[RunSnapshot | None, IntegrationRecord | None]:
        """``snapshot`` (the run locked for the unit of work) and ``Integrations.get`` at
        once: the start of every sync needs both."""
        ...

    async def start(
        self, run_id: UUID, attempt: int, started_at: datetime, announce: SyncStarted
    ) -> bool:
        """Mark the run running and record the attempt, staging ``announce`` in the outbox
        with it; False (nothing recorded or staged) when the attempt was recorded before."""
        ...

    async def finish(self, outcome: FinishedAttempt) -> bool:
        """Claim the request in the inbox, finish the attempt and its run and, when the
        outcome names a synced integration, mark it synced. False (and nothing changed) when
        the request was processed before or the attempt is already finished."""
        ...


class Integrations(Protocol):
    async def get(self, integration_id: UUID) -> IntegrationRecord | None: ...
    async def read_credentials(self, integration_id: UUID) -> StoredCredentials | None: ...
    async def save_credentials(
        self, integration_id: UUID, sealed: SealedCredentials, expected_version: int
    ) -> int | None:
        """Compare and swap on the version: the new version, or None when it moved on."""
        ...


class PlatformData(Protocol):
    async def upsert_campaigns(
        self, org_id: UUID, integration_id: UUID, platform: str,
        campaigns: Sequence[NormalizedCampaign], synced_at: datetime,
    ) -> None: ...  # fmt: skip
    async def upsert_daily_metrics(
        self, org_id: UUID, integration_id: UUID,
        metrics: Sequence[NormalizedDailyMetric], synced_at: datetime,
    ) -> None: ...  # fmt: skip
    async def upsert_posts(
        self, org_id: UUID, integration_id: UUID, platform: str,
        posts: Sequence[NormalizedPost], synced_at: datetime,
    ) -> None: ...  # fmt: skip


class Facts(Protocol):
    async def campaign_facts(
        self, integration_id: UUID, today: date, since_30: date
    ) -> list[CampaignFact]: ...
    async def content_totals(self, integration_id: UUID, since: datetime) -> ContentTotals: ...
    async def recent_posts(self, integration_id: UUID) -> list[PostFact]: ...


class SyncUnitOfWork(InboxOutboxUnitOfWork, Protocol):
    # Read-only, so an adapter's concrete repositories satisfy them (a plain attribute in a
    # protocol is invariant).
    @property
    def runs(self) -> Runs: ...
    @property
    def integrations(self) -> Integrations: ...
    @property
    def data(self) -> PlatformData: ...
    @property
    def facts(self) -> Facts: ...


class PlatformLimiter(Protocol):
    def slot(self, platform: Platform, account_id: str) -> AbstractAsyncContextManager[None]:
        """Hold one concurrent call and one rate token of the platform and the account;
        raises :class:`LimitWaitExceeded` when none frees up in time."""
        ...


class RefreshLock(Protocol):
    def hold(self, integration_id: UUID) -> AbstractAsyncContextManager[None]:
        """Held by at most one token refresh of the integration, across every worker."""
        ...


class PlatformConnector(Protocol):
    platform: Platform
    default_lookback_days: int
    supports_refresh: bool
    # The platform API version it speaks and that version's announced end of life.
    api_version: ApiVersion

    async def refresh_token(self, credentials: Credentials) -> Credentials:
        """Exchange the refresh token for a new access token (AuthRevoked when refused)."""
        ...

    async def fetch_campaigns(
        self, account: AccountRef, credentials: Credentials
    ) -> list[NormalizedCampaign]: ...

    async def fetch_daily_metrics(
        self, account: AccountRef, credentials: Credentials, since: date, until: date
    ) -> list[NormalizedDailyMetric]: ...

    async def fetch_posts(
        self, account: AccountRef, credentials: Credentials, since: datetime | None
    ) -> list[NormalizedPost]: ...


class SyncMetrics(Protocol):
    """The worker's figures: one count per finished attempt, one per refused token refresh."""

    def attempt_finished(
        self, platform: Platform, data_type: DataType, outcome: RunStatus
    ) -> None: ...

    def token_refresh_failed(self, platform: Platform, reason: str) -> None: ...
