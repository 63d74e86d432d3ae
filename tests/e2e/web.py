"""The web dashboard in a real browser: Debian's Chromium driven by Playwright, the built
files served by scripts/web_server.py next to the running system."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from playwright.async_api import Browser, Page, async_playwright

from cmis_dashboard_api import admin
from cmis_dashboard_api.adapters.accounts import set_password
from cmis_dashboard_api.domain.passwords import Passwords
from cmis_shared.db.engine import create_engine, create_session_factory
from tests.e2e.conftest import System, Tenant
from tests.support.waiting import eventually

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "services" / "web" / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "correct horse battery staple"


def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:  # fail, not skip: scripts/bootstrap.sh installs it
        raise RuntimeError("Debian's chromium is not installed: run `make install`")
    return path


@contextlib.contextmanager
def web_server(system: System) -> Iterator[str]:
    url = f"http://127.0.0.1:{system.web_port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "scripts.web_server", "--port", str(system.web_port),
         "--api-url", system.api_url],
        cwd=ROOT,
    )  # fmt: skip
    try:
        deadline_checks = 0
        while True:
            try:
                if httpx.get(f"{url}/config.json", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                deadline_checks += 1
                if process.poll() is not None or deadline_checks > 1200:  # 2 minutes
                    raise RuntimeError("the web server did not start") from None
                subprocess.run(["sleep", "0.1"], check=True)
        yield url
    finally:
        process.terminate()
        process.wait(10)


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium_path())
        try:
            yield browser
        finally:
            await browser.close()


@dataclass
class Person:
    email: str
    password: str


async def person_for(system: System, tenant: Tenant) -> Person:
    """A sign-in password for the tenant's admin (whose email the tenant fixture chose)."""
    engine = create_engine(system.settings)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            email = f"{uuid.uuid4().hex}@web.example"
            user, _ = await admin.create_user(session, email, [tenant.org_id], role="admin")
            await set_password(session, user.id, Passwords().hash(PASSWORD))
    finally:
        await engine.dispose()
    return Person(email, PASSWORD)


async def sign_in(page: Page, web_url: str, person: Person) -> None:
    await page.goto(web_url)
    await page.get_by_label("Email").fill(person.email)
    await page.get_by_label("Password").fill(person.password)
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_role("heading", name="Dashboard").wait_for()


async def serious_accessibility_violations(page: Page) -> list[str]:
    await page.add_script_tag(path=str(AXE))
    result = await page.evaluate("async () => await axe.run(document)")
    return [
        f"{violation['id']}: {violation['help']} ({len(violation['nodes'])} nodes)"
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


async def live_connected(page: Page) -> None:
    async def shows_live() -> bool:
        return await page.locator(".live.on").count() == 1

    await eventually(shows_live, within=60)
