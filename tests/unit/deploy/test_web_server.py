"""The web dashboard's server as the web image runs it: /healthz for the probes, /config.json
with the API's origin, the page with its CSP naming that origin."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from scripts.web_server import create_app

pytestmark = pytest.mark.unit
API = "https://api.cmis.example.com"


async def test_probes_config_and_page(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<!doctype html><title>CMIS</title>")
    transport = httpx.ASGITransport(app=create_app(API, tmp_path))
    async with httpx.AsyncClient(transport=transport, base_url="http://web") as client:
        health = await client.get("/healthz")
        config = await client.get("/config.json")
        page = await client.get("/")
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    assert config.json() == {"apiBaseUrl": API}
    assert page.status_code == 200 and "CMIS" in page.text
    assert f"connect-src 'self' {API}" in page.headers["content-security-policy"]
