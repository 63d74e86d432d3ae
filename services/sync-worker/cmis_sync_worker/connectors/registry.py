"""Which connector serves which platform. A sixth platform is one module and one line here."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from cmis_shared.events import Platform

from .base import PlatformConnector
from .config import PlatformEndpoints
from .google_ads import GoogleAdsConnector
from .linkedin import LinkedInConnector
from .meta import MetaConnector
from .tiktok import TikTokConnector
from .twitter import TwitterConnector

ConnectorFactory = Callable[[httpx.AsyncClient, PlatformEndpoints], PlatformConnector]

CONNECTOR_FACTORIES: dict[Platform, ConnectorFactory] = {
    Platform.GOOGLE: GoogleAdsConnector,
    Platform.META: MetaConnector,
    Platform.TIKTOK: TikTokConnector,
    Platform.LINKEDIN: LinkedInConnector,
    Platform.TWITTER: TwitterConnector,
}


def build_connectors(
    http: httpx.AsyncClient, endpoints: PlatformEndpoints
) -> dict[Platform, PlatformConnector]:
    """One connector per platform, all sharing the caller's pooled client."""
    return {platform: factory(http, endpoints) for platform, factory in CONNECTOR_FACTORIES.items()}
