"""The API's request figures: each answered request counts under its route template (never
the raw path with ids), method and status, with its duration; a path no route matches counts
as ``unmatched``; the figures are served on the service's metrics registry."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import FastAPI

from tests.integration.dashboard_api.conftest import Tenant

pytestmark = pytest.mark.integration
DASHBOARD = "/api/orgs/{org_id}/dashboard"


def sample(app: FastAPI, name: str, **labels: str) -> float:
    registry = app.state.services.runtime.metrics
    return registry.get_sample_value(name, labels) or 0.0


async def test_requests_count_by_route_template_method_and_status(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    ok = {"method": "GET", "route": DASHBOARD, "status": "200"}
    missing = {**ok, "status": "404"}
    before_ok = sample(app, "cmis_http_requests_total", **ok)
    before_missing = sample(app, "cmis_http_requests_total", **missing)
    before_timed = sample(
        app, "cmis_http_request_duration_seconds_count", method="GET", route=DASHBOARD
    )

    assert (
        await client.get(f"/api/orgs/{tenant.org_id}/dashboard", headers=tenant.headers)
    ).status_code == 200
    other_org = uuid.uuid4()
    assert (
        await client.get(f"/api/orgs/{other_org}/dashboard", headers=tenant.headers)
    ).status_code == 404
    assert (await client.get(f"/no/such/{uuid.uuid4()}")).status_code == 404

    assert sample(app, "cmis_http_requests_total", **ok) == before_ok + 1
    assert sample(app, "cmis_http_requests_total", **missing) == before_missing + 1
    assert (
        sample(app, "cmis_http_request_duration_seconds_count", method="GET", route=DASHBOARD)
        == before_timed + 2
    )
    unmatched = {"method": "GET", "route": "unmatched", "status": "404"}
    assert sample(app, "cmis_http_requests_total", **unmatched) >= 1
    exposition = app.state.services.runtime.metrics
    names = {metric.name for metric in exposition.collect()}
    assert {"cmis_http_requests", "cmis_http_request_duration_seconds"} <= names
    assert not any(str(other_org) in str(s.labels) for m in exposition.collect() for s in m.samples)
