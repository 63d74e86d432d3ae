"""`make demo`: migrate, seed demo data, run the platform simulator and the five services with
live logs, plus a webhook receiver and a mail catcher that print the notifications the demo
organization receives; Ctrl-C stops everything cleanly.

Everything the dashboards show is produced by the real pipeline: the seed only connects
integrations (as a user would), then asks for a first sync through the HTTP API.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shlex
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta

import asyncpg
import httpx
from honcho.manager import Manager
from sqlalchemy.engine import make_url

from cmis_platform_sim.dataset import Dataset, Size
from cmis_shared.crypto import TokenCipher
from cmis_shared.db.engine import asyncpg_dsn, create_engine, create_session_factory
from cmis_shared.db.migrate import upgrade
from cmis_shared.settings import CmisSettings, load_settings
from cmis_sync_worker.domain.window import account_today
from scripts.demo_seed import DEMO_PASSWORD, DEMO_USER, DemoPlan, seed

SIM_PORT = int(os.environ.get("CMIS_DEMO_SIM_PORT", "8900"))
API_PORT = int(os.environ.get("CMIS_DEMO_API_PORT", "8000"))
WEB_PORT = int(os.environ.get("CMIS_DEMO_WEB_PORT", "8080"))
WEB_URL = f"http://127.0.0.1:{WEB_PORT}"
WEBHOOK_PORT = int(os.environ.get("CMIS_DEMO_WEBHOOK_PORT", "8990"))
SMTP_PORT = int(os.environ.get("CMIS_DEMO_SMTP_PORT", "1025"))
# The webhook's signing secret is shown once, by the API: the receiver reads it from here.
WEBHOOK_SECRET_FILE = os.path.join(tempfile.gettempdir(), "cmis-demo-webhook.secret")
SIM_SEED = 42
# Steady series: campaigns with a level and a weekly rhythm, so the anomaly rules stay quiet
# until the demo injects its spike.
SIM_SIZE = Size(accounts=3, campaigns=8, days=60, posts=15, series="steady")
# How long the injected spend spike stays before the simulator serves the normal day again
# (the next metrics sync, every 5 minutes here, then resolves the anomaly alert).
SPIKE_SECONDS = float(os.environ.get("CMIS_DEMO_SPIKE_SECONDS", "420"))
BIN = os.path.join(os.path.dirname(sys.executable), "")

# Demo pace: syncs every few minutes instead of hourly, retries after seconds, so a visitor
# sees the whole life cycle (sync, retry, final failure, alert) within a minute or two.
DEMO_ENV = {
    "CMIS_ENVIRONMENT": "development",
    "CMIS_METRICS_PERIOD_SECONDS": "300",
    "CMIS_CAMPAIGNS_PERIOD_SECONDS": "900",
    "CMIS_FULL_SYNC_PERIOD_SECONDS": "3600",
    "CMIS_RETRY_BACKOFF_SECONDS": "[5, 10]",
    "CMIS_TOKEN_CHECK_INTERVAL_SECONDS": "30",
    "CMIS_PLATFORM_SIM_URL": f"http://127.0.0.1:{SIM_PORT}",
    # Euro reference rates from the simulator's deterministic feed (ECB format).
    "CMIS_EXCHANGE_RATE_FEED_URL": f"http://127.0.0.1:{SIM_PORT}/fx",
    "CMIS_PLATFORMS__X_CONSUMER_KEY": "sim-consumer",
    "CMIS_PLATFORMS__X_CONSUMER_SECRET": "sim-consumer-secret",
    "CMIS_PLATFORMS__GOOGLE_DEVELOPER_TOKEN": "sim-developer-token",
    "CMIS_LOG_FORMAT": os.environ.get("CMIS_LOG_FORMAT", "console"),
    "CMIS_PORT": str(API_PORT),
    # Notifications at demo pace: a group leaves 10 s after its first alert.
    "CMIS_GROUP_WAIT_SECONDS": "10",
    "CMIS_GROUP_INTERVAL_SECONDS": "60",
    "CMIS_SMTP_PORT": str(SMTP_PORT),
    "CMIS_WEB_BASE_URL": WEB_URL,
    # OAuth connect against the simulator (CMIS_PLATFORM_SIM_URL): the platforms call back
    # this API, which sends the browser back to the web dashboard (or the docs, for curl).
    "CMIS_OAUTH_PUBLIC_BASE_URL": f"http://127.0.0.1:{API_PORT}",
    "CMIS_OAUTH_RETURN_URLS": f'["{WEB_URL}/", "http://127.0.0.1:{API_PORT}/docs"]',
    # The web dashboard is served from its own origin and calls the API across it.
    "CMIS_CORS_ORIGINS": WEB_URL,
}


async def ensure_database(database_url: str) -> None:
    url = make_url(database_url)
    admin = await asyncpg.connect(asyncpg_dsn(url.set(database="postgres").render_as_string(False)))
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", url.database)
        if not exists:
            await admin.execute(f'CREATE DATABASE "{url.database}"')
    finally:
        await admin.close()


async def prepare(settings: CmisSettings, dataset: Dataset) -> DemoPlan:
    await ensure_database(settings.database_url)
    await asyncio.to_thread(upgrade, settings.database_url)
    engine = create_engine(settings)
    try:
        return await seed(create_session_factory(engine), TokenCipher(settings.encryption_keys),
                          dataset)  # fmt: skip
    finally:
        await engine.dispose()


def processes(plan: DemoPlan) -> dict[str, list[str]]:
    faults = []
    if plan.failing is not None:
        platform, account = plan.failing
        faults.append({"kind": "server_error", "platform": platform.value, "account": account})
    sim = [
        f"{BIN}cmis-platform-sim", "--port", str(SIM_PORT), "--seed", str(SIM_SEED),
        "--accounts", str(SIM_SIZE.accounts), "--campaigns", str(SIM_SIZE.campaigns),
        "--days", str(SIM_SIZE.days), "--posts", str(SIM_SIZE.posts),
        "--series", SIM_SIZE.series, "--faults", json.dumps(faults),
    ]  # fmt: skip
    return {
        "platform-sim": sim,
        "scheduler": [f"{BIN}cmis-scheduler"],
        "sync-worker": [f"{BIN}cmis-sync-worker"],
        "alerting": [f"{BIN}cmis-alerting"],
        "notifier": [f"{BIN}cmis-notifier"],
        "dashboard-api": [f"{BIN}cmis-dashboard-api"],
        "web": [
            sys.executable, "-m", "scripts.web_server", "--port", str(WEB_PORT),
            "--api-url", f"http://127.0.0.1:{API_PORT}",
        ],
        "webhook-receiver": [
            sys.executable, "-m", "scripts.webhook_receiver", "--port", str(WEBHOOK_PORT),
            "--secret-file", WEBHOOK_SECRET_FILE,
        ],
        "mail-catcher": [
            sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{SMTP_PORT}",
            "-c", "aiosmtpd.handlers.Debugging",
        ],
    }  # fmt: skip


def demo_channels(client: httpx.Client, org_id: object, webhook: bool) -> None:
    """The first organization's admin adds a webhook (to the local receiver) and an e-mail
    address (to the mail catcher), as through the settings page; a rerun replaces them (the
    webhook's secret is shown only when it is created)."""
    base = f"/api/orgs/{org_id}/notification-channels"
    for channel in client.get(base).json().get("channels", []):
        if channel["name"].startswith("demo "):
            client.delete(f"{base}/{channel['id']}")
    if webhook:
        created = client.post(base, json={
            "name": "demo webhook", "kind": "webhook",
            "url": f"http://127.0.0.1:{WEBHOOK_PORT}/cmis-alerts",
        }).json()  # fmt: skip
        with open(WEBHOOK_SECRET_FILE, "w") as secret_file:
            secret_file.write(created["signing_secret"])
        print(f"[demo] webhook channel {created['id']}: signed with the secret in "
              f"{WEBHOOK_SECRET_FILE}", flush=True)  # fmt: skip
    mail = client.post(
        base, json={"name": "demo e-mail", "kind": "email", "to": "ops@demo.example"}
    )
    print(f"[demo] e-mail channel: HTTP {mail.status_code}", flush=True)


def spike_spec(dataset: Dataset) -> dict[str, str | float]:
    """A 4x spend spike on the first organization's busiest Google campaign, on the last
    complete day of its account (the day alerting's anomaly rules judge)."""
    account_id = dataset.account_ids("google")[0]
    zone = dataset.account("google", account_id).timezone
    day = account_today(datetime.now(UTC), zone) - timedelta(days=1)
    rows = dataset.daily_metrics("google", account_id, day - timedelta(days=28), day)
    clicks: dict[str, list[int]] = {}
    for row in rows:
        clicks.setdefault(row.campaign_external_id, []).append(row.clicks)
    campaign = max(clicks, key=lambda c: statistics.median(clicks[c]))
    return {"kind": "spike", "platform": "google", "account": account_id,
            "campaign": campaign, "day": day.isoformat(), "factor": 4}  # fmt: skip


def first_sync(
    plan: DemoPlan,
    base_url: str,
    spike: dict[str, str | float] | None = None,
    webhook: bool = True,
) -> None:
    """Once the API answers, add the demo's notification channels, then ask for a first sync
    of every org, as the frontend does right after an integration is connected."""
    headers = {"Authorization": f"Bearer {plan.token}"}
    deadline = time.monotonic() + 60
    with httpx.Client(base_url=base_url, headers=headers, timeout=5) as client:
        while time.monotonic() < deadline:
            try:
                if client.get("/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        demo_channels(client, plan.orgs[0], webhook)
        if spike is not None:
            try:
                # Ahead of the first sync, so that sync already reads the spiked day.
                httpx.post(f"http://127.0.0.1:{SIM_PORT}/_admin/anomalies", json=spike,
                           timeout=5).raise_for_status()  # fmt: skip
            except httpx.HTTPError as error:
                print(f"[demo] could not inject the spend spike: {error}", flush=True)
                spike = None
        for org_id in plan.orgs:
            response = client.post(f"/api/orgs/{org_id}/sync/trigger", json={"data_type": "all"})
            print(f"[demo] first sync of org {org_id}: HTTP {response.status_code}", flush=True)
        year_backfill(client, plan.orgs[0])
    if spike is not None:
        remove_spike_later(plan, spike, base_url)


def year_backfill(client: httpx.Client, org_id: object) -> None:
    """A year of the first org's X history on demand (53 weekly windows, sent below the
    schedule): the integrations page shows its progress bar move live."""
    try:
        listed = client.get(f"/api/orgs/{org_id}/integrations").raise_for_status().json()
        [x] = [i for i in listed["integrations"] if i["platform"] == "twitter"][:1]
        until = datetime.now(UTC).date() - timedelta(days=1)
        body = {"since": (until - timedelta(days=364)).isoformat(), "until": until.isoformat(),
                "integration_ids": [x["id"]], "data_types": ["metrics"]}  # fmt: skip
        response = client.post(f"/api/orgs/{org_id}/backfills", json=body).raise_for_status()
        print(f"[demo] one-year backfill of X for org {org_id}: "
              f"{response.json()['windows_total']} windows", flush=True)  # fmt: skip
    except (httpx.HTTPError, ValueError, KeyError) as error:
        print(f"[demo] could not start the one-year backfill: {error!r}", flush=True)


def remove_spike_later(plan: DemoPlan, spike: dict[str, str | float], base_url: str) -> None:
    """Take the spike away after SPIKE_SECONDS and ask for a metrics sync: the day is normal
    again, and the anomaly alert resolves."""
    print(f"[demo] simulator: 4x spend spike in Google campaign {spike['campaign']} on "
          f"{spike['day']}; it goes away in {SPIKE_SECONDS:.0f} s", flush=True)  # fmt: skip
    time.sleep(SPIKE_SECONDS)
    try:
        httpx.delete(f"http://127.0.0.1:{SIM_PORT}/_admin/anomalies", timeout=5)
        response = httpx.post(
            f"{base_url}/api/orgs/{plan.orgs[0]}/sync/trigger", json={"data_type": "metrics"},
            headers={"Authorization": f"Bearer {plan.token}"}, timeout=5,
        )  # fmt: skip
        print(f"[demo] spike removed; metrics sync of org {plan.orgs[0]}: "
              f"HTTP {response.status_code}", flush=True)  # fmt: skip
    except httpx.HTTPError as error:
        print(f"[demo] could not remove the spend spike: {error}", flush=True)


def banner(plan: DemoPlan, base_url: str) -> str:
    org = plan.orgs[0]
    login = json.dumps({"email": DEMO_USER, "password": DEMO_PASSWORD})
    return f"""
================================================================================
 CMIS demo
   Web dashboard  {WEB_URL}   sign in as {DEMO_USER} / {DEMO_PASSWORD}
   API            {base_url}/api          docs: {base_url}/docs  (ReDoc: {base_url}/redoc)
   Platform sim   http://127.0.0.1:{SIM_PORT}  (development tool)
   Demo token     {plan.token}
   Sign in        {DEMO_USER} / {DEMO_PASSWORD}
   Organizations  {", ".join(str(o) for o in plan.orgs)}

   curl -X POST {base_url}/api/auth/login -H "Content-Type: application/json" -d '{login}'
   curl -H "Authorization: Bearer {plan.token}" {base_url}/api/orgs/{org}/dashboard
   curl -H "Authorization: Bearer {plan.token}" {base_url}/api/orgs/{org}/sync/status
   curl -N -H "Authorization: Bearer {plan.token}" {base_url}/api/orgs/{org}/events
   Notifications of the first org: the webhook-receiver and mail-catcher lines below.
   Acme Retail reports in EUR (its USD and GBP accounts converted at each day's rate; the
   dashboard shows the rate date), Globex in its first account's currency.
   # Connect accounts through OAuth (simulated consent): open the answer's authorization_url
   curl -X POST -H "Authorization: Bearer {plan.token}" -H "Content-Type: application/json" \
     -d '{{"return_url": "{base_url}/docs"}}' \
     {base_url}/api/orgs/{org}/integrations/oauth/google/start
 Ctrl-C stops everything.
================================================================================
""".strip()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m scripts.demo", description=__doc__)
    parser.add_argument(
        "mode", nargs="?", choices=["run", "seed"], default="run",
        help="run: everything on this machine (default); seed: only migrate, seed and ask "
        "the running API (--api) for a first sync (docker compose's one-shot seed service)",
    )  # fmt: skip
    parser.add_argument("--api", default=f"http://127.0.0.1:{API_PORT}")
    args = parser.parse_args()
    # The demo runs on the development key and the simulator: development, said explicitly.
    os.environ.setdefault("CMIS_ENVIRONMENT", "development")
    os.environ.setdefault("CMIS_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/cmis")
    settings = load_settings(CmisSettings)
    dataset = Dataset(seed=SIM_SEED, size=SIM_SIZE, end_date=date.today())
    plan = asyncio.run(prepare(settings, dataset))
    print(banner(plan, args.api), flush=True)
    if args.mode == "seed":
        first_sync(plan, args.api, webhook=False)  # compose has the mail catcher only
        return

    manager = Manager()
    env = {**os.environ, **DEMO_ENV}
    for name, command in processes(plan).items():
        manager.add_process(name, " ".join(_quote(part) for part in command),
                            env={**env, "CMIS_SERVICE_NAME": name})  # fmt: skip
    spike = spike_spec(dataset)
    threading.Thread(target=first_sync, args=(plan, args.api, spike), daemon=True).start()
    manager.loop()
    sys.exit(manager.returncode)


def _quote(part: str) -> str:
    return shlex.quote(part)


if __name__ == "__main__":
    main()
