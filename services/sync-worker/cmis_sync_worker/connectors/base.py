"""What every platform connector implements (:class:`PlatformConnector`, a port) and the
normalized model and errors it maps to (pure values in :mod:`cmis_sync_worker.domain.platform`),
gathered here for the connectors. The sync worker never branches on the platform."""

from cmis_sync_worker.domain.platform import (
    AccountRef,
    AuthRevoked,
    ConfigError,
    ConnectorError,
    Credentials,
    InvalidResponse,
    NormalizedCampaign,
    NormalizedDailyMetric,
    NormalizedPost,
    PlatformTimeout,
    QuotaExhausted,
    RateLimited,
    TokenExpired,
    TransientPlatformError,
)
from cmis_sync_worker.ports import PlatformConnector

__all__ = [
    "AccountRef",
    "AuthRevoked",
    "ConfigError",
    "ConnectorError",
    "Credentials",
    "InvalidResponse",
    "NormalizedCampaign",
    "NormalizedDailyMetric",
    "NormalizedPost",
    "PlatformConnector",
    "PlatformTimeout",
    "QuotaExhausted",
    "RateLimited",
    "TokenExpired",
    "TransientPlatformError",
]
