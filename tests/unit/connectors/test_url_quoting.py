"""Every id a connector puts into a URL path is quoted: it can never add a path level, a
query or a fragment on the platform's host (defence in depth behind the id validation)."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from datetime import date

import httpx
import pytest

from cmis_shared.events import Platform
from cmis_sync_worker.connectors.base import AccountRef, ConnectorError, Credentials
from cmis_sync_worker.connectors.config import PlatformEndpoints
from cmis_sync_worker.connectors.registry import CONNECTOR_FACTORIES

pytestmark = pytest.mark.unit

FORGED = "1/../../admin?x=1#y"
ENDPOINTS = PlatformEndpoints.pointing_at(
    "http://platform.test", x_consumer_key="k", x_consumer_secret="s"
)
CREDENTIALS = Credentials("sim-token", "sim-refresh", extra={"token_secret": "s"})
EXTRA = {"page_id": FORGED, "ig_user_id": FORGED, "organization_id": FORGED, "user_id": FORGED}

Call = Callable[..., Awaitable[object]]


async def _raw_targets(platform: Platform, call: str) -> list[str]:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.raw_path.decode())
        return httpx.Response(404, json={})

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        connector = CONNECTOR_FACTORIES[platform](client, ENDPOINTS)
        account = AccountRef(platform, FORGED, currency="USD", extra=EXTRA)
        method: Call = getattr(connector, call)
        args: tuple[object, ...] = (account, CREDENTIALS)
        if call == "fetch_daily_metrics":
            args += (date(2025, 1, 1), date(2025, 1, 2))
        if call == "fetch_posts":
            args += (None,)
        with contextlib.suppress(ConnectorError):  # the 404: only the URL matters here
            await method(*args)
    return seen


@pytest.mark.parametrize("platform", list(CONNECTOR_FACTORIES))
@pytest.mark.parametrize("call", ["fetch_campaigns", "fetch_daily_metrics", "fetch_posts"])
async def test_ids_never_reach_a_url_unquoted(platform: Platform, call: str) -> None:
    for target in await _raw_targets(platform, call):
        path, _, query = target.partition("?")
        assert "/../" not in path and "admin" not in path.split("/"), target
        assert "#" not in target, target
        assert "x=1" not in query.split("&"), target
