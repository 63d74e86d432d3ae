"""The request-figures middleware on a small app (no servers): the template of a route
included under a prefix, unmatched paths, and live streams counted but not timed."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from prometheus_client import CollectorRegistry
from starlette.responses import StreamingResponse

from cmis_dashboard_api.api.request_metrics import RequestMetrics, install_request_metrics

pytestmark = pytest.mark.unit


def app_with(registry: CollectorRegistry) -> FastAPI:
    router = APIRouter()

    @router.get("/orgs/{org_id}/things/{thing_id}")
    async def thing(org_id: str, thing_id: str) -> dict[str, str]:
        return {"id": thing_id}

    @router.get("/orgs/{org_id}/events")
    async def events(org_id: str) -> StreamingResponse:
        async def lines() -> AsyncIterator[bytes]:
            yield b"data: hello\n\n"

        return StreamingResponse(lines(), media_type="text/event-stream")

    app = FastAPI()
    app.include_router(router, prefix="/api")
    install_request_metrics(app)
    app.state.request_metrics = RequestMetrics(registry)
    return app


def value(registry: CollectorRegistry, name: str, **labels: str) -> float:
    return registry.get_sample_value(name, labels) or 0.0


async def test_templates_unmatched_and_streams() -> None:
    registry = CollectorRegistry()
    transport = httpx.ASGITransport(app=app_with(registry))
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        for thing in ("a", "b", "c"):
            assert (await client.get(f"/api/orgs/o1/things/{thing}")).status_code == 200
        assert (await client.get("/api/orgs/o1/events")).status_code == 200
        assert (await client.get("/elsewhere/x")).status_code == 404

    things = {"method": "GET", "route": "/api/orgs/{org_id}/things/{thing_id}"}
    assert value(registry, "cmis_http_requests_total", **things, status="200") == 3
    assert value(registry, "cmis_http_request_duration_seconds_count", **things) == 3
    stream = {"method": "GET", "route": "/api/orgs/{org_id}/events"}
    assert value(registry, "cmis_http_requests_total", **stream, status="200") == 1
    assert value(registry, "cmis_http_request_duration_seconds_count", **stream) == 0
    unmatched = {"method": "GET", "route": "unmatched", "status": "404"}
    assert value(registry, "cmis_http_requests_total", **unmatched) == 1
    routes = {
        s.labels["route"] for m in registry.collect() for s in m.samples if "route" in s.labels
    }
    assert routes == {things["route"], stream["route"], "unmatched"}  # no raw path, no id
