"""The whole system as real processes: the platform simulator and the four services, against
the run's database and a namespace of its own, sharing one trace file."""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from cmis_dashboard_api import admin
from cmis_shared.db.engine import create_engine, create_session_factory
from cmis_shared.settings import CmisSettings
from cmis_shared.topology import Topology
from tests.conftest import RUN_ID, remove_broker_objects, remove_redis_keys
from tests.support.platform_sim import PlatformSim, start_platform_sim, stop_platform_sim
from tests.support.ports import free_port
from tests.support.processes import ServiceProcess, service_env
from tests.support.servers import ServerUrls

SERVICES = ("scheduler", "sync-worker", "alerting", "dashboard-api")


@dataclass
class System:
    settings: CmisSettings
    sim: PlatformSim
    api_url: str
    trace_file: Path
    metrics_ports: dict[str, int]
    processes: dict[str, ServiceProcess]
    web_port: int

    def logs(self) -> str:
        return "\n".join(f"--- {n}\n{p.log_text()[-4000:]}" for n, p in self.processes.items())


@pytest.fixture(scope="module")
def e2e_settings(servers: ServerUrls, module_database_url: str) -> Iterator[CmisSettings]:
    namespace = f"e2e-{RUN_ID}-{uuid.uuid4().hex[:6]}."
    yield CmisSettings(
        environment="test",
        database_url=module_database_url,
        rabbit_url=servers.rabbit,
        redis_url=servers.redis,
        namespace=namespace,
    )


@pytest.fixture(scope="module")
def system(
    e2e_settings: CmisSettings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[System]:
    log_dir = tmp_path_factory.mktemp("e2e")
    sim = start_platform_sim(end_date=datetime.now(UTC).date())
    api_port = free_port()
    web_port = free_port()  # the web dashboard's origin, allowed by the API's CORS list
    metrics_ports = {name: free_port() for name in SERVICES}
    trace_file = log_dir / "traces.jsonl"
    common = {
        "CMIS_TRACE_FILE": str(trace_file),
        "CMIS_PLATFORM_SIM_URL": sim.base_url,
        "CMIS_EXCHANGE_RATE_FEED_URL": f"{sim.base_url}/fx",
        "CMIS_EXCHANGE_RATE_CACHE_SECONDS": "1",
        "CMIS_PLATFORMS__X_CONSUMER_KEY": "sim-consumer",
        "CMIS_PLATFORMS__X_CONSUMER_SECRET": "sim-consumer-secret",
        "CMIS_RETRY_BACKOFF_SECONDS": "[0.5, 1]",
        "CMIS_TOKEN_CHECK_INTERVAL_SECONDS": "2",
        "CMIS_PORT": str(api_port),
        "CMIS_CORS_ORIGINS": f"http://127.0.0.1:{web_port}",
        "CMIS_OAUTH_RETURN_URLS": f'["http://127.0.0.1:{web_port}/"]',
        "CMIS_OAUTH_PUBLIC_BASE_URL": f"http://127.0.0.1:{api_port}",
        "CMIS_WEB_BASE_URL": f"http://127.0.0.1:{web_port}",  # the notifier's links
    }
    processes = {
        name: ServiceProcess(
            name,
            [str(Path(sys.executable).parent / f"cmis-{name}")],
            service_env(
                e2e_settings,
                **common,
                CMIS_SERVICE_NAME=name,
                CMIS_METRICS_PORT=str(metrics_ports[name]),
            ),
            log_dir,
        )
        for name in SERVICES
    }
    api_url = f"http://127.0.0.1:{api_port}"
    try:
        for process in processes.values():
            process.start()
        processes["dashboard-api"].wait_until(lambda: _answers(f"{api_url}/healthz"), 120)
        for name in ("scheduler", "sync-worker", "alerting"):
            processes[name].wait_for_log("started successfully", 120)
        yield System(e2e_settings, sim, api_url, trace_file, metrics_ports, processes, web_port)
    finally:
        for process in processes.values():
            process.terminate()
        stop_platform_sim(sim)
        asyncio.run(_cleanup(e2e_settings))


async def _cleanup(settings: CmisSettings) -> None:
    await remove_broker_objects(settings.rabbit_url, Topology(settings.namespace))
    await remove_redis_keys(settings.redis_url, settings.namespace)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.TransportError:
        return False


@dataclass
class Tenant:
    org_id: uuid.UUID
    token: str
    client: httpx.AsyncClient


@pytest.fixture
async def tenant(system: System) -> AsyncIterator[Tenant]:
    """A fresh organization with a user and an API token, as after sign-up."""
    engine = create_engine(system.settings)
    sessions = create_session_factory(engine)
    async with sessions() as session, session.begin():
        org = await admin.create_organization(session, f"E2E {uuid.uuid4().hex[:6]}", "UTC")
        email = f"{uuid.uuid4().hex}@e2e.example"
        _, token = await admin.create_user(session, email, [org.id], role="admin")
    await engine.dispose()
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=system.api_url, headers=headers, timeout=10) as client:
        yield Tenant(org.id, token, client)
