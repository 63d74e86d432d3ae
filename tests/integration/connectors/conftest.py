"""Connector contract tests run against the real platform simulator over HTTP (the
``platform_sim`` fixture from tests/support/platform_sim.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from cmis_platform_sim.dataset import Dataset
from cmis_shared.events import Platform
from cmis_sync_worker.connectors.base import AccountRef, Credentials, NormalizedPost
from cmis_sync_worker.connectors.transport import make_http_client
from tests.support import expected
from tests.support.platform_sim import PlatformSim

TOKEN = "sim-contract-token"
CREDENTIALS = Credentials(TOKEN, "sim-refresh-contract", extra={"token_secret": "sim-token-secret"})
EXTRA = {
    Platform.META: {"page_id": "4242", "ig_user_id": "17841400000000001"},
    Platform.LINKEDIN: {"organization_id": "2414183"},
    Platform.TWITTER: {"user_id": "783214"},
}


@dataclass(frozen=True)
class Case:
    platform: Platform
    account: AccountRef

    def expected_posts(self, ds: Dataset) -> list[NormalizedPost]:
        extra, p = self.account.extra, self.platform.value
        if self.platform is Platform.META:
            return expected.posts(ds, p, extra["page_id"], "page") + expected.posts(
                ds, p, extra["ig_user_id"], "instagram"
            )
        owner = {Platform.LINKEDIN: "organization_id", Platform.TWITTER: "user_id"}.get(
            self.platform
        )
        if self.platform is Platform.TIKTOK:
            return expected.posts(ds, p, TOKEN)
        return expected.posts(ds, p, extra[owner]) if owner else []


def case_for(platform: Platform, ds: Dataset, index: int = 0) -> Case:
    account_id = ds.account_ids(platform.value)[index]
    zone = ds.account(platform.value, account_id).timezone
    return Case(
        platform, AccountRef(platform, account_id, timezone=zone, extra=EXTRA.get(platform, {}))
    )


@pytest.fixture
async def http(platform_sim: PlatformSim) -> AsyncIterator[httpx.AsyncClient]:
    async with make_http_client(platform_sim.endpoints) as client:
        yield client


class SleepRecorder:
    """Stands in for asyncio.sleep so slow-down is observed, not waited for."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
