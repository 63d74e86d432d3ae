"""Reading one account from its platform: a token fit for the whole sync first, then each
data type through the shared platform limiter.

No database transaction is open while this runs. Refreshing goes through ``refresh``
(:mod:`cmis_sync_worker.handlers.refreshing`): one refresh per integration at a time, the
new token stored at once (a refresh may rotate the refresh token, and losing the new one
would lose the grant), or the credentials someone else stored meanwhile taken instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from cmis_shared.events import DataType
from cmis_sync_worker.connectors.base import (
    AccountRef,
    Credentials,
    NormalizedCampaign,
    NormalizedDailyMetric,
    NormalizedPost,
    PlatformConnector,
    TokenExpired,
)
from cmis_sync_worker.domain.tokens import TokenAction, token_action
from cmis_sync_worker.domain.window import SyncWindow
from cmis_sync_worker.ports import PlatformLimiter

T = TypeVar("T")
Refresh = Callable[[Credentials], Awaitable[Credentials]]


@dataclass(frozen=True)
class FetchedData:
    campaigns: list[NormalizedCampaign] | None = None
    metrics: list[NormalizedDailyMetric] | None = None
    posts: list[NormalizedPost] | None = None

    def counts(self) -> dict[str, int]:
        found = {
            DataType.CAMPAIGNS.value: self.campaigns,
            DataType.METRICS.value: self.metrics,
            DataType.POSTS.value: self.posts,
        }
        return {name: len(rows) for name, rows in found.items() if rows is not None}


class AccountFetch:
    def __init__(
        self,
        connector: PlatformConnector,
        limiter: PlatformLimiter,
        account: AccountRef,
        credentials: Credentials,
        refresh: Refresh,
    ) -> None:
        self._connector = connector
        self._limiter = limiter
        self._account = account
        self.credentials = credentials
        self._refresh_with = refresh
        self._refreshed = False

    @property
    def _can_refresh(self) -> bool:
        return self._connector.supports_refresh and bool(self.credentials.refresh_token)

    async def ensure_fresh_token(self, now: datetime, margin: timedelta) -> None:
        action = token_action(
            self.credentials.expires_at, now, margin, can_refresh=self._can_refresh
        )
        if action is TokenAction.EXPIRED:
            raise TokenExpired(
                self._account.platform, "access token expired and cannot be refreshed"
            )
        if action is TokenAction.REFRESH:
            await self._refresh()

    async def fetch(self, data_types: Sequence[DataType], window: SyncWindow) -> FetchedData:
        connector, account = self._connector, self._account
        campaigns = metrics = posts = None
        if DataType.CAMPAIGNS in data_types:
            campaigns = await self._call(lambda c: connector.fetch_campaigns(account, c))
        if DataType.METRICS in data_types:
            metrics = await self._call(
                lambda c: connector.fetch_daily_metrics(
                    account, c, window.metrics_since, window.metrics_until
                )
            )
        if DataType.POSTS in data_types:
            posts = await self._call(
                lambda c: connector.fetch_posts(account, c, window.posts_since)
            )
        return FetchedData(campaigns, metrics, posts)

    async def _call(self, call: Callable[[Credentials], Awaitable[T]]) -> T:
        """One platform call; a token the platform calls expired is refreshed once."""
        try:
            async with self._limiter.slot(self._account.platform, self._account.account_id):
                return await call(self.credentials)
        except TokenExpired:
            if self._refreshed or not self._can_refresh:
                raise
        await self._refresh()
        async with self._limiter.slot(self._account.platform, self._account.account_id):
            return await call(self.credentials)

    async def _refresh(self) -> None:
        """Raises the connector's error when refused (AuthRevoked / TokenExpired: no retry)."""
        self.credentials = await self._refresh_with(self.credentials)
        self._refreshed = True
