"""pytest plugin: the platform simulator as a fixture.

``platform_sim_server`` (session) starts ``python -m cmis_platform_sim`` on a free port in a
subprocess (its own process, so it never competes with the test's event loop), waits until
it answers, and stops it at the end. ``platform_sim`` (function) hands out the same server
with faults and call counters reset::

    async def test_x(platform_sim):
        platform_sim.add_fault(kind="rate_limit", platform="meta", times=1)
        connectors = build_connectors(http, platform_sim.endpoints)
        expected = platform_sim.dataset.campaigns("meta", "100000000001")

Helpers: ``add_fault(**spec) -> id``, ``clear_faults()``, ``calls() -> dict``,
``reset_calls()``, ``add_anomaly(**spec) -> id``, ``clear_anomalies()``. The fixed
``END_DATE`` keeps expectations reproducible.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
import pytest

from cmis_platform_sim.dataset import Dataset, Size
from cmis_sync_worker.connectors.config import PlatformEndpoints
from tests.support.ports import free_port

SEED = 42
END_DATE = date(2025, 3, 31)
SIZE = Size(accounts=3, campaigns=8, days=45, posts=12)
MAX_PAGE_SIZE = 5  # small pages, so every connector really paginates
X_CONSUMER = {"x_consumer_key": "sim-consumer", "x_consumer_secret": "sim-consumer-secret"}


@dataclass
class PlatformSim:
    base_url: str
    dataset: Dataset
    endpoints: PlatformEndpoints
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def _admin(self, method: str, path: str, body: Any = None) -> Any:
        response = httpx.request(method, f"{self.base_url}/_admin/{path}", json=body, timeout=5)
        response.raise_for_status()
        return response.json()

    def add_fault(self, **spec: Any) -> str:
        return str(self._admin("POST", "faults", spec)["faults"][0]["id"])

    def faults(self) -> list[dict[str, Any]]:
        return list(self._admin("GET", "faults")["faults"])

    def clear_faults(self) -> None:
        self._admin("DELETE", "faults")

    def add_anomaly(self, **spec: Any) -> str:
        return str(self._admin("POST", "anomalies", spec)["anomalies"][0]["id"])

    def clear_anomalies(self) -> None:
        self._admin("DELETE", "anomalies")

    def set_fx_faults(self, **spec: Any) -> None:
        """The exchange-rate feed's faults: ``fail`` (a status), ``malformed``,
        ``missing_days`` (ISO dates); see ``cmis_platform_sim/fx.py``."""
        self._admin("POST", "fx", spec)

    def clear_fx_faults(self) -> None:
        self._admin("DELETE", "fx")

    def calls(self) -> dict[str, Any]:
        return dict(self._admin("GET", "calls"))

    def reset_calls(self) -> None:
        self._admin("DELETE", "calls")

    def endpoints_with(self, **overrides: Any) -> PlatformEndpoints:
        return PlatformEndpoints.pointing_at(self.base_url, **{**X_CONSUMER, **overrides})


# A limit, not a measurement: the simulator imports its app and draws its dataset before it
# answers, which two loaded cores slow down many times over.
STARTUP_LIMIT_SECONDS = 60


def start_platform_sim(
    *extra_args: str, seed: int = SEED, size: Size = SIZE, end_date: date = END_DATE
) -> PlatformSim:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    args = [
        sys.executable,
        "-m",
        "cmis_platform_sim",
        "--port",
        str(port),
        "--seed",
        str(seed),
        "--end-date",
        end_date.isoformat(),
        "--accounts",
        str(size.accounts),
        "--campaigns",
        str(size.campaigns),
        "--days",
        str(size.days),
        "--posts",
        str(size.posts),
        "--series",
        size.series,
        "--max-page-size",
        str(MAX_PAGE_SIZE),
        *extra_args,
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CMIS_SIM_")}
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + STARTUP_LIMIT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            stderr = process.stderr.read().decode()[-2000:] if process.stderr else ""
            raise RuntimeError(f"platform simulator exited: {stderr}")
        try:
            if httpx.get(f"{base_url}/_admin/health", timeout=0.5).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.05)
    else:
        process.kill()
        raise RuntimeError(f"platform simulator did not answer within {STARTUP_LIMIT_SECONDS} s")
    sim = PlatformSim(
        base_url,
        Dataset(seed, size, end_date),
        PlatformEndpoints.pointing_at(base_url, **X_CONSUMER),
        process,
    )
    return sim


def stop_platform_sim(sim: PlatformSim) -> None:
    if sim.process is not None and sim.process.poll() is None:
        sim.process.terminate()
        try:
            sim.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            sim.process.kill()
            sim.process.wait(timeout=5)


@pytest.fixture(scope="session")
def platform_sim_server() -> Iterator[PlatformSim]:
    sim = start_platform_sim()
    try:
        yield sim
    finally:
        stop_platform_sim(sim)


@pytest.fixture
def platform_sim(platform_sim_server: PlatformSim) -> Iterator[PlatformSim]:
    platform_sim_server.clear_faults()
    platform_sim_server.clear_anomalies()
    platform_sim_server.clear_fx_faults()
    platform_sim_server.reset_calls()
    yield platform_sim_server
    platform_sim_server.clear_faults()
    platform_sim_server.clear_anomalies()
    platform_sim_server.clear_fx_faults()
