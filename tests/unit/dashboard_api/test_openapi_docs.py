"""The OpenAPI document: every route documented with examples, errors and request samples
in four languages; interactive docs served from local assets (no CDN)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from cmis_dashboard_api.app import create_app
from cmis_dashboard_api.settings import DashboardSettings

pytestmark = pytest.mark.unit
LANGUAGES = {"bash", "javascript", "php", "python"}
PUBLIC = {"/api/oauth/{platform}/callback"}


@pytest.fixture(scope="module")
def app() -> FastAPI:
    return create_app(DashboardSettings())  # nothing connects before the lifespan runs


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m, p, op) for p, ops in document["paths"].items() for m, op in ops.items()]


def test_every_route_is_documented(app: FastAPI) -> None:
    document = app.openapi()
    assert document["info"]["title"] == "CMIS Marketing API"
    operations = _operations(document)
    assert len(operations) >= 22
    for method, path, operation in operations:
        where = f"{method.upper()} {path}"
        assert operation.get("summary") and operation.get("description"), where
        responses = operation["responses"]
        success = [code for code in responses if code[0] in "23"]  # the callback redirects
        assert success, where
        for code in success:
            if code.startswith("2") and code != "204":
                content = responses[code]["content"]
                assert any("example" in media for media in content.values()), where
        if path in PUBLIC:  # authenticated by the signed OAuth state, not a bearer token
            assert "401" not in responses and "400" in responses, where
        for error in (
            () if path in PUBLIC else ("401", "404", "422") if "{org_id}" in path else ("401",)
        ):
            assert "example" in responses[error]["content"]["application/json"], (where, error)
        if "requestBody" in operation:
            assert "example" in operation["requestBody"]["content"]["application/json"], where
        samples = operation["x-codeSamples"]
        assert {sample["lang"] for sample in samples} == LANGUAGES, where
        assert all(path in sample["source"] for sample in samples), where
    assert document["components"]["securitySchemes"]["ApiToken"]["scheme"] == "bearer"


def test_request_samples_carry_the_body() -> None:
    document = create_app(DashboardSettings()).openapi()
    samples = document["paths"]["/api/orgs/{org_id}/kpis"]["post"]["x-codeSamples"]
    by_language = {sample["lang"]: sample["source"] for sample in samples}
    assert '-d \'{"name": "ROI"' in by_language["bash"]
    assert "JSON.stringify" in by_language["javascript"]
    assert '"json" =>' in by_language["php"]
    assert "json={'name': 'ROI'" in by_language["python"]


async def test_docs_pages_use_local_assets(app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        for page, asset in (("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")):
            html = (await client.get(page)).text
            assert f"/static-offline-docs/{asset}" in html and "cdn" not in html.lower()
            assert (await client.get(f"/static-offline-docs/{asset}")).status_code == 200


async def test_swagger_ui_shows_the_request_samples(app: FastAPI) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        page = (await c.get("/docs")).text
    assert "plugins: [CodeSamples]," in page
    assert '"x-codeSamples"' in page and "Request samples" in page
    assert "/static-offline-docs/swagger-ui-bundle.js" in page  # still no CDN


async def test_method_not_allowed_names_every_method_of_the_path(app: FastAPI) -> None:
    org = "/api/orgs/00000000-0000-0000-0000-000000000001"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        listing = await c.options(f"{org}/kpis")
        one = await c.put(f"{org}/integrations/00000000-0000-0000-0000-000000000002")
    assert (listing.status_code, listing.headers["allow"]) == (405, "GET, POST")
    assert one.headers["allow"] == "DELETE, GET, PATCH"


def test_links_lead_from_what_is_created_or_listed_to_what_uses_its_id(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    created = paths["/api/orgs/{org_id}/integrations"]["post"]["responses"]["201"]["links"]
    operation_ids = {
        op["operationId"]
        for path, ops in paths.items()
        if path.startswith("/api/orgs/{org_id}/integrations/{integration_id}")
        for op in ops.values()
    }
    assert operation_ids <= set(created)
    for link in created.values():
        assert link["parameters"]["integration_id"] == "$response.body#/id"
    listed = paths["/api/orgs/{org_id}/alerts"]["get"]["responses"]["200"]["links"]
    assert len(listed) == 5
