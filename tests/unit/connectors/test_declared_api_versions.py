"""Each connector declares the platform API version it speaks (the setting) and that
version's announced end of life (cmis_shared.api_versions, or a configured newer date)."""

from __future__ import annotations

from datetime import date

import httpx

from cmis_shared.api_versions import DEFAULT_API_VERSIONS
from cmis_shared.events import Platform
from cmis_sync_worker.connectors.config import PlatformEndpoints
from cmis_sync_worker.connectors.registry import build_connectors


async def test_connectors_declare_the_configured_version_and_its_end_of_life() -> None:
    endpoints = PlatformEndpoints(
        meta_api_version="v23.0",
        linkedin_version="202511",
        api_sunset_dates={Platform.TIKTOK: {"v1.3": date(2027, 6, 30)}},
    )
    async with httpx.AsyncClient() as client:
        connectors = build_connectors(client, endpoints)
    declared = {platform: connector.api_version for platform, connector in connectors.items()}

    assert (declared[Platform.META].version, declared[Platform.META].sunset_on) == (
        "v23.0",
        date(2026, 6, 9),
    )
    assert declared[Platform.LINKEDIN].sunset_on == date(2026, 11, 16)
    assert declared[Platform.TIKTOK].sunset_on == date(2027, 6, 30)  # the configured date
    assert declared[Platform.TWITTER].sunset_on is None  # none announced
    assert declared[Platform.GOOGLE].version == DEFAULT_API_VERSIONS[Platform.GOOGLE]
    assert all(connector.api_version.platform is p for p, connector in connectors.items())
