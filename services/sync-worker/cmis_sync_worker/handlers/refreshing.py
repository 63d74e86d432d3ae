"""Refreshing a sync's token without losing a grant or a user's reconnect.

* One refresh per integration at a time (:class:`~cmis_sync_worker.ports.RefreshLock`): with
  rotating refresh tokens a second, concurrent refresh of the same grant is refused and the
  integration would look revoked.
* Under the lock the stored credentials are read again. When their version moved since the
  sync loaded them (another sync refreshed, or the user reconnected), those are used as
  they are: no refresh.
* Otherwise the platform is asked, and the new credentials are written with a compare-and-
  swap on the version, together with ``integration.updated``. Only the API can still have
  written in between (a reconnect): its credentials win, the refreshed ones are dropped and
  the sync goes on with the stored ones.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from uuid import UUID

import structlog

from cmis_shared.events import IntegrationUpdated, SyncRequested
from cmis_sync_worker.adapters.credentials import CredentialsCodec
from cmis_sync_worker.connectors.base import ConnectorError
from cmis_sync_worker.domain.integration import (
    IntegrationRecord,
    SealedCredentials,
    StoredCredentials,
)
from cmis_sync_worker.domain.platform import AuthRevoked, Credentials
from cmis_sync_worker.ports import PlatformConnector, RefreshLock, SyncMetrics, SyncUnitOfWork

log = structlog.get_logger(__name__)
Refresh = Callable[[Credentials], Awaitable[Credentials]]


class InProcessRefreshLock:
    """The lock within one process (unit tests, a single worker); workers share
    :class:`~cmis_sync_worker.adapters.refresh_lock.PostgresRefreshLock`."""

    def __init__(self) -> None:
        self._locks: defaultdict[UUID, asyncio.Lock] = defaultdict(asyncio.Lock)

    @asynccontextmanager
    async def hold(self, integration_id: UUID) -> AsyncIterator[None]:
        async with self._locks[integration_id]:
            yield


class TokenRefresher:
    def __init__(
        self,
        uow_factory: Callable[[], SyncUnitOfWork],
        codec: CredentialsCodec,
        lock: RefreshLock,
        metrics: SyncMetrics,
    ) -> None:
        self._uow_factory = uow_factory
        self._codec = codec
        self._lock = lock
        self._metrics = metrics

    def for_sync(
        self,
        request: SyncRequested,
        integration: IntegrationRecord,
        connector: PlatformConnector,
    ) -> Refresh:
        """The refresh of one sync, which remembers the version its credentials came from."""
        version = integration.credentials_version

        async def refresh(held: Credentials) -> Credentials:
            nonlocal version
            async with self._lock.hold(integration.id):
                stored = await self._read(integration)
                if stored.version != version:
                    log.info(
                        "credentials changed during the sync", integration_id=str(integration.id)
                    )
                    version = stored.version
                    return self._codec.decode(stored.ciphertext, stored.expires_at)
                try:
                    fresh = await connector.refresh_token(held)
                except ConnectorError as error:
                    reason = error.error_class.value
                    self._metrics.token_refresh_failed(integration.platform, reason)
                    log.warning(
                        "token refresh failed", integration_id=str(integration.id),
                        platform=integration.platform.value, reason=reason,
                    )  # fmt: skip
                    raise
                written = await self._store(request, integration, fresh, version)
                if written is not None:
                    version = written
                    return fresh
                stored = await self._read(integration)
                log.info("reconnected during the refresh", integration_id=str(integration.id))
                version = stored.version
                return self._codec.decode(stored.ciphertext, stored.expires_at)

        return refresh

    async def _read(self, integration: IntegrationRecord) -> StoredCredentials:
        async with self._uow_factory() as uow:
            stored = await uow.integrations.read_credentials(integration.id)
        if stored is None:
            raise AuthRevoked(integration.platform, "the integration was removed during the sync")
        return stored

    async def _store(
        self,
        request: SyncRequested,
        integration: IntegrationRecord,
        credentials: Credentials,
        expected_version: int,
    ) -> int | None:
        async with self._uow_factory() as uow:
            sealed = SealedCredentials(self._codec.encode(credentials), credentials.expires_at)
            version = await uow.integrations.save_credentials(
                integration.id, sealed, expected_version
            )
            if version is None:
                return None
            await uow.publish(
                IntegrationUpdated(
                    org_id=integration.org_id,
                    correlation_id=request.correlation_id,
                    integration_id=integration.id,
                    platform=integration.platform,
                    account_id=integration.account_id,
                    account_name=integration.account_name,
                    status=integration.status,
                    status_reason=integration.status_reason,
                    currency=integration.currency,
                    timezone=integration.timezone,
                    token_expires_at=credentials.expires_at,
                    refreshable=integration.refreshable,
                )
            )
            await uow.commit()
        log.info("token refreshed", integration_id=str(integration.id))
        return version
