"""The whole system for a fault test: the platform simulator (behind the dirty-data proxy)
and the four services as processes, against the session's private servers, with every
period, lease and backoff shrunk so a fault and its recovery take seconds."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx

from cmis_dashboard_api import admin
from cmis_shared.db.engine import asyncpg_dsn, create_engine, create_session_factory
from cmis_shared.db.migrate import upgrade
from cmis_shared.events import Platform
from cmis_shared.settings import CmisSettings
from tests.faults.dirty_proxy import DirtyProxy
from tests.support.platform_sim import PlatformSim, start_platform_sim, stop_platform_sim
from tests.support.ports import free_port
from tests.support.private_servers import PrivateServers
from tests.support.processes import ServiceProcess, service_env

SERVICES = ("scheduler", "sync-worker", "alerting", "notifier", "dashboard-api")
PLATFORMS = (Platform.GOOGLE, Platform.META, Platform.TIKTOK)
ORGANIZATIONS = 3
# Generous: on a loaded 2-core host importing a service took over 60 s in one run.
STARTUP_LIMIT_SECONDS = 150
ACCOUNT_EXTRA: dict[Platform, dict[str, str]] = {
    Platform.META: {"page_id": "4242", "ig_user_id": "17841400000000001"},
}

# Seconds, not hours: syncs every few seconds, retries and leases within a second or so.
FAST = {
    "CMIS_OUTBOX_POLL_SECONDS": "0.1",
    "CMIS_OUTBOX_LEASE_SECONDS": "3",
    "CMIS_OUTBOX_BATCH_DEADLINE_SECONDS": "2.5",
    "CMIS_RETRY_BACKOFF_SECONDS": "[0.2, 0.5]",
    "CMIS_METRICS_PERIOD_SECONDS": "6",
    "CMIS_CAMPAIGNS_PERIOD_SECONDS": "10",
    "CMIS_TICK_SECONDS": "0.5",
    "CMIS_RETRY_CONFLICT_DELAY_SECONDS": "1",
    "CMIS_PAUSE_AFTER_FAILURES": "1000",
    "CMIS_TRIGGER_RATE_LIMIT": "100000",
    "CMIS_TOKEN_CHECK_INTERVAL_SECONDS": "2",
    "CMIS_LIMITER_LEASE_SECONDS": "5",
    "CMIS_GRACEFUL_TIMEOUT_SECONDS": "5",
    # A first metrics sync reads this much history: 90 days (the default) for nine new
    # integrations kept the worker busy for over a minute on a loaded host.
    "CMIS_BACKFILL_DAYS": "14",
    # Supervision, consumer retries and the stuck-run sweep (settings that arrive with
    # issue 13's fixes; a service that does not know them yet ignores them).
    "CMIS_TASK_RESTART_INITIAL_SECONDS": "0.1",
    "CMIS_TASK_RESTART_MAX_SECONDS": "2",
    "CMIS_CONSUMER_RETRY_PAUSE_SECONDS": "0.1",
    "CMIS_CONSUMER_INFRA_RETRY_MAX_SECONDS": "2",
    "CMIS_HEALTH_CHECK_INTERVAL_SECONDS": "1",
    "CMIS_STUCK_SWEEP_SECONDS": "2",
    "CMIS_PLATFORMS__X_CONSUMER_KEY": "sim-consumer",
    "CMIS_PLATFORMS__X_CONSUMER_SECRET": "sim-consumer-secret",
}


@dataclass
class Org:
    org_id: uuid.UUID
    client: httpx.AsyncClient
    integrations: list[str] = field(default_factory=list)


@dataclass
class FaultSystem:
    servers: PrivateServers
    settings: CmisSettings
    sim: PlatformSim
    proxy: DirtyProxy
    log_dir: Path
    api_url: str
    metrics_ports: dict[str, int]
    processes: dict[str, ServiceProcess]
    orgs: list[Org] = field(default_factory=list)

    def logs(self) -> str:
        return "\n".join(f"--- {n}\n{p.log_text()[-3000:]}" for n, p in self.processes.items())

    def add_process(self, name: str, service: str) -> ServiceProcess:
        """Another process of a service (a replica), with a metrics port of its own."""
        self.metrics_ports[name] = free_port()
        env = service_env(
            self.settings,
            **FAST,
            CMIS_PLATFORM_SIM_URL=self.proxy.url,
            CMIS_PORT=self.api_url.rsplit(":", 1)[1],
            CMIS_SERVICE_NAME=service,
            CMIS_METRICS_PORT=str(self.metrics_ports[name]),
        )
        command = [str(Path(sys.executable).parent / f"cmis-{service}")]
        process = ServiceProcess(name, command, env, self.log_dir)
        self.processes[name] = process
        return process.start()

    def wait_started(self, name: str) -> None:
        process = self.processes[name]
        if name == "dashboard-api":
            process.wait_until(lambda: _answers(f"{self.api_url}/healthz"), STARTUP_LIMIT_SECONDS)
        else:
            process.wait_for_log("started successfully", STARTUP_LIMIT_SECONDS)

    async def connect_orgs(self) -> None:
        engine = create_engine(self.settings)
        sessions = create_session_factory(engine)
        try:
            for index in range(ORGANIZATIONS):
                async with sessions() as session, session.begin():
                    org = await admin.create_organization(session, f"Faults {index}", "UTC")
                    _, token = await admin.create_user(
                        session, f"{uuid.uuid4().hex}@faults.example", [org.id], role="admin"
                    )
                # 5 s timed out creating integrations on a host at load 15: slow, not broken.
                client = httpx.AsyncClient(
                    base_url=self.api_url, headers={"Authorization": f"Bearer {token}"}, timeout=20
                )
                self.orgs.append(Org(org.id, client))
        finally:
            await engine.dispose()
        for index, org in enumerate(self.orgs):
            for platform in PLATFORMS:
                org.integrations.append(await self._connect(org, platform, index))

    async def _connect(self, org: Org, platform: Platform, index: int) -> str:
        account_id = self.sim.dataset.account_ids(platform.value)[index]
        account = self.sim.dataset.account(platform.value, account_id)
        response = await org.client.post(
            f"/api/orgs/{org.org_id}/integrations",
            json={
                "platform": platform.value,
                "account_id": account_id,
                "account_name": f"{platform.value} {account_id}",
                "credentials": {"access_token": "sim-faults", "refresh_token": "sim-refresh"},
                "currency": account.currency,
                "timezone": account.timezone,
                "account_extra": ACCOUNT_EXTRA.get(platform, {}),
            },
        )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    async def stop(self) -> None:
        for org in self.orgs:
            await org.client.aclose()
        for process in self.processes.values():  # all at once: they stop in parallel
            if process.process is not None and process.process.poll() is None:
                process.process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            # One that ignores SIGTERM is killed; the fault test already judged the system.
            with contextlib.suppress(RuntimeError):
                process.terminate(within=15)
        self.proxy.stop()
        stop_platform_sim(self.sim)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.TransportError:
        return False


class Databases:
    """A template migrated once on the private PostgreSQL, and one clone per system."""

    def __init__(self, servers: PrivateServers) -> None:
        self._servers = servers
        self.template = "cmis_faults_template"

    def url(self, name: str) -> str:
        return self._servers.postgres.url.rsplit("/", 1)[0] + f"/{name}"

    async def _admin(self, sql: str) -> None:
        connection = await asyncpg.connect(asyncpg_dsn(self._servers.postgres.url))
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    async def create_template(self) -> None:
        await self._admin(f'CREATE DATABASE "{self.template}"')
        await asyncio.to_thread(upgrade, self.url(self.template))

    async def clone(self) -> str:
        name = f"cmis_faults_{uuid.uuid4().hex[:8]}"
        await self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return self.url(name)


async def start_system(
    servers: PrivateServers, databases: Databases, log_dir: Path, *, schedulers: int = 1
) -> FaultSystem:
    settings = CmisSettings(
        environment="test",
        database_url=await databases.clone(),
        rabbit_url=servers.rabbit.url,
        rabbit_urls=servers.rabbit_urls,
        redis_url=servers.redis.url,
        namespace=f"faults-{uuid.uuid4().hex[:6]}.",
    )
    sim = start_platform_sim(end_date=datetime.now(UTC).date())
    proxy = DirtyProxy(sim.base_url)
    proxy.start()
    api_url = f"http://127.0.0.1:{free_port()}"
    system = FaultSystem(servers, settings, sim, proxy, log_dir, api_url, {}, {})
    try:
        names = [*SERVICES, *(f"scheduler-{n}" for n in range(2, schedulers + 1))]
        for name in names:
            system.add_process(name, name.split("-")[0] if name.startswith("scheduler") else name)
        for name in names:
            await asyncio.to_thread(system.wait_started, name)
        await system.connect_orgs()
    except BaseException:
        await system.stop()
        raise
    return system
