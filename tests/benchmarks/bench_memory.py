"""Resident memory of each service when idle (goal: under 150 MB each), beside a bare Python
interpreter started the same way in the same run."""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

from tests.benchmarks.common import BenchResult, print_results
from tests.benchmarks.support import scratch_settings
from tests.support.ports import free_port
from tests.support.processes import ServiceProcess, service_env

SERVICES = ("scheduler", "sync-worker", "alerting", "dashboard-api")
GOAL_MB = 150.0


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


async def run(scale: float = 1.0) -> list[BenchResult]:
    idle_seconds = max(1.0, 10 * scale)
    async with scratch_settings() as settings:
        log_dir = Path(tempfile.mkdtemp(prefix="cmis-bench-memory-"))
        bin_dir = Path(sys.executable).parent
        processes = {
            name: ServiceProcess(
                name,
                [str(bin_dir / f"cmis-{name}")],
                service_env(settings, CMIS_SERVICE_NAME=name, CMIS_PORT=str(free_port())),
                log_dir,
            ).start()
            for name in SERVICES
        }
        bare = ServiceProcess(
            "bare-python", [sys.executable, "-c", "import time; time.sleep(600)"], {}, log_dir
        ).start()
        try:
            for name, process in processes.items():
                marker = (
                    "Application startup complete"
                    if name == "dashboard-api"
                    else ("started successfully")
                )
                await asyncio.to_thread(process.wait_for_log, marker, 60)
            time.sleep(idle_seconds)  # noqa: ASYNC251 - nothing else runs in this loop
            reference = resident_mb(bare.process.pid)  # type: ignore[union-attr]
            figures = {
                name: resident_mb(process.process.pid)  # type: ignore[union-attr]
                for name, process in processes.items()
            }
        finally:
            for process in (*processes.values(), bare):
                process.terminate()
    return [
        BenchResult(
            name=f"memory, idle: {name}",
            figure=figure,
            unit="MB RSS",
            goal=f"< {GOAL_MB:.0f} MB",
            reference=reference,
            reference_label="bare python interpreter",
            higher_is_better=False,
            goal_met=figure < GOAL_MB,
        )
        for name, figure in figures.items()
    ]


if __name__ == "__main__":
    print_results(asyncio.run(run()))
