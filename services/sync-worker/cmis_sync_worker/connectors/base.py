"""What every platform connector implements (:class:`PlatformConnector`, a port) and the
normalized model and errors it maps to (pure values in :mod:`cmis_sync_worker.domain.platform`),
gathered here for the connectors. The sync worker never branches on the platform.

The platform connectors import this module, not its names (``from . import base``, then
``base.RateLimited``): one place lists the shared vocabulary, and a reader sees at each use
that a type is the shared one, not the platform's own."""

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
