"""The organization's people, in a real browser (Debian's Chromium through Playwright) against
the whole running system: sign in, read the figures, sync live, in English and Arabic, on a
desktop and a phone, with no serious accessibility violations."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from cmis_notifier.domain.messages import alerts_link
from cmis_shared.events import Platform
from tests.e2e.conftest import System, Tenant
from tests.e2e.helpers import connect, dashboard, integration_status, trigger
from tests.e2e.web import (
    chromium,
    live_connected,
    person_for,
    serious_accessibility_violations,
    sign_in,
    web_server,
)
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e


async def save_screenshot(page: Page, name: str) -> None:
    """`CMIS_SCREENSHOT_DIR=docs make ...` refreshes the README's pictures of the dashboard."""
    folder = os.environ.get("CMIS_SCREENSHOT_DIR")
    if folder:
        await page.locator(".chart svg").first.wait_for()
        await page.screenshot(path=str(Path(folder) / name), full_page=True)


@pytest.fixture(scope="module")
def web_url(system: System) -> Iterator[str]:
    with web_server(system) as url:
        yield url


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


async def synced(system: System, tenant: Tenant) -> str:
    integration = await connect(system, tenant, Platform.GOOGLE, index=0)
    await trigger(tenant, integration["id"])

    async def first_sync_done() -> bool:
        status = await integration_status(tenant, integration["id"])
        return status["integration"]["last_synced_at"] is not None

    await eventually(first_sync_done, within=60, every=0.5)
    return str(integration["id"])


async def test_sign_in_shows_the_figures_the_api_serves(
    system: System, tenant: Tenant, web_url: str, browser: Browser
) -> None:
    await synced(system, tenant)
    person = await person_for(system, tenant)
    page = await browser.new_page()
    await sign_in(page, web_url, person)
    view = await dashboard(tenant)
    advertising = view["overview"]["advertising"]
    tiles = page.get_by_role("list", name="Dashboard")
    await expect(tiles).to_contain_text(f"{advertising['total_impressions']:,}")
    await expect(tiles).to_contain_text(f"{advertising['total_clicks']:,}")
    account = view["connected_accounts"]["accounts"][0]["account_name"]
    await expect(page.get_by_text(account)).to_be_visible()
    await expect(page.get_by_text(f"Figures in {view['currency']}")).to_be_visible()
    await page.close()


async def test_the_organizations_currency_and_the_rate_day_are_shown(
    system: System, tenant: Tenant, web_url: str, browser: Browser
) -> None:
    """An account in another currency than the organization's: its figures are converted and
    the page says at which exchange-rate day."""
    await synced(system, tenant)
    view = await dashboard(tenant)
    other = "EUR" if view["currency"] != "EUR" else "USD"
    response = await tenant.client.patch(
        f"/api/orgs/{tenant.org_id}/settings", json={"currency": other}
    )
    assert response.status_code == 200, response.text

    async def converted() -> bool:
        return (await dashboard(tenant))["exchange_rates"]["rates_as_of"] is not None

    await eventually(converted, within=30)
    person = await person_for(system, tenant)
    page = await browser.new_page()
    await sign_in(page, web_url, person)
    await expect(page.get_by_text(f"Figures in {other}")).to_be_visible()
    await expect(page.get_by_text("exchange rates of")).to_be_visible()
    await page.close()


async def test_a_wrong_password_is_refused_in_words(
    system: System, tenant: Tenant, web_url: str, browser: Browser
) -> None:
    person = await person_for(system, tenant)
    page = await browser.new_page()
    await page.goto(web_url)
    await page.get_by_label("Email").fill(person.email)
    await page.get_by_label("Password").fill("not the password")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_have_text("Email or password is wrong.")
    await page.close()


async def test_sync_now_goes_to_done_live_without_a_reload(
    system: System, tenant: Tenant, web_url: str, browser: Browser
) -> None:
    await synced(system, tenant)
    page = await browser.new_page()
    await sign_in(page, web_url, await person_for(system, tenant))
    await live_connected(page)
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    await page.get_by_role("button", name="Sync now").click()
    await expect(page.locator(".badge.done")).to_have_text("Done", timeout=60_000)
    assert navigations == []  # the page never reloaded
    await page.close()


async def test_arabic_lays_the_page_out_right_to_left(
    system: System, tenant: Tenant, web_url: str, browser: Browser
) -> None:
    await synced(system, tenant)
    page = await browser.new_page(viewport={"width": 1280, "height": 1000})
    await sign_in(page, web_url, await person_for(system, tenant))
    await save_screenshot(page, "web-dashboard-en.png")
    await page.get_by_label("Language").select_option("ar")
    await expect(page.locator("html")).to_have_attribute("dir", "rtl")
    await expect(page.get_by_role("heading", name="لوحة المعلومات")).to_be_visible()
    # The navigation starts on the right in a right-to-left layout.
    nav = await page.get_by_role("navigation").bounding_box()
    brand = await page.locator(".brand").bounding_box()
    assert nav is not None and brand is not None
    assert brand["x"] > nav["x"]
    await save_screenshot(page, "web-dashboard-ar.png")
    await page.get_by_label("اللغة").select_option("en")
    await page.close()


@pytest.mark.parametrize("language", ["en", "ar"])
async def test_no_serious_accessibility_violations(
    system: System, tenant: Tenant, web_url: str, browser: Browser, language: str
) -> None:
    await synced(system, tenant)
    # The page's Content-Security-Policy refuses injected scripts, axe-core's included.
    context = await browser.new_context(bypass_csp=True)
    page = await context.new_page()
    await sign_in(page, web_url, await person_for(system, tenant))
    if language == "ar":
        await page.get_by_label("Language").select_option("ar")
        await expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert await serious_accessibility_violations(page) == []
    for route in ("integrations", "alerts", "settings"):
        await page.goto(f"{web_url}/#/{route}")
        await page.locator("main h1").wait_for()
        assert await serious_accessibility_violations(page) == [], route
    await context.close()


async def test_a_phone_sized_screen_needs_no_sideways_scrolling(
    system: System, tenant: Tenant, web_url: str, browser: Browser
) -> None:
    await synced(system, tenant)
    context = await browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = await context.new_page()
    await sign_in(page, web_url, await person_for(system, tenant))
    width = await page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390
    await expect(page.get_by_role("button", name="Sync now").first).to_be_visible()
    await context.close()


async def test_a_new_organization_is_told_what_to_do_next(
    system: System, tenant: Tenant, web_url: str, browser: Browser
) -> None:
    page = await browser.new_page()
    await sign_in(page, web_url, await person_for(system, tenant))
    await expect(page.get_by_text("Nothing is connected yet")).to_be_visible()
    await page.get_by_role("button", name="Connect an account").click()
    await expect(page.get_by_role("heading", name="Integrations")).to_be_visible()
    await page.close()


async def test_connect_an_account_through_oauth_and_see_its_first_sync(
    system: System, tenant: Tenant, web_url: str, browser: Browser
) -> None:
    page = await browser.new_page()
    await sign_in(page, web_url, await person_for(system, tenant))
    await page.goto(f"{web_url}/#/integrations")
    await page.get_by_role("button", name="Connect with Google Ads").click()
    # The simulator's consent approves at once and sends the browser back through the API.
    await expect(page.get_by_role("heading", name="Choose the accounts to connect")).to_be_visible(
        timeout=30_000
    )
    first = page.locator(".choices input[type=checkbox]:not([disabled])").first
    await first.check()
    await page.get_by_role("button", name="Connect chosen accounts").click()
    await expect(page.get_by_text("Connected 1 accounts.")).to_be_visible()
    row = page.locator("tbody tr").first
    await expect(row).to_contain_text("google")
    await expect(row.locator(".badge.done")).to_be_visible(timeout=90_000)
    await page.close()


async def test_a_failing_account_shows_the_failure_in_words_then_an_alert_to_acknowledge(
    system: System, tenant: Tenant, web_url: str, browser: Browser
) -> None:
    integration = await connect(system, tenant, Platform.TIKTOK, index=1)
    system.sim.add_fault(kind="server_error", platform="tiktok", account=integration["account_id"])
    try:
        page = await browser.new_page()
        await sign_in(page, web_url, await person_for(system, tenant))
        await page.goto(f"{web_url}/#/integrations")
        await live_connected(page)
        await page.get_by_role("button", name="Sync now").first.click()
        failed = page.locator(".badge.failed").first
        await expect(failed).to_contain_text("The platform had an error.", timeout=60_000)

        raised: list[str] = []

        async def alert_raised() -> bool:
            response = await tenant.client.get(f"/api/orgs/{tenant.org_id}/alerts")
            items = response.json()["items"]
            raised[:] = [item["id"] for item in items if item["type"] == "sync_failure"]
            return bool(raised)

        await eventually(alert_raised, within=90, every=0.5)
        # The link a notification carries picks the alert out on the alerts page.
        await page.goto(alerts_link(web_url, tenant.org_id, raised[0]))
        item = page.locator(".alert-list li[aria-current=true]")
        await expect(item).to_contain_text("Sync failure")  # its type's label
        await expect(item).to_be_in_viewport()
        await item.get_by_role("button", name="Acknowledge").click()
        await expect(item.get_by_role("status")).to_have_text(
            "Done. The alert updates in a moment."
        )
        # In the item: any other alert the organization has acknowledged would say so too.
        await expect(item.get_by_text("Acknowledged by")).to_be_visible(timeout=30_000)
        await page.close()
    finally:
        system.sim.clear_faults()


async def test_a_year_of_history_on_demand_fills_its_progress_bar_live(
    system: System, tenant: Tenant, web_url: str, browser: Browser
) -> None:
    await synced(system, tenant)
    page = await browser.new_page()
    await sign_in(page, web_url, await person_for(system, tenant))
    await live_connected(page)
    await page.goto(f"{web_url}/#/integrations")
    panel = page.get_by_role("region", name="History on demand")
    await panel.get_by_role("button", name="Read this history").click()  # the last year
    bar = panel.get_by_role("progressbar", name="Progress").first
    await expect(bar).to_be_visible()
    await expect(panel.get_by_role("status").first).to_have_text("Done", timeout=120_000)
    await expect(bar).to_have_attribute("value", "100")
    await expect(panel.get_by_text("12 of 12 parts")).to_be_visible()
    await page.close()
