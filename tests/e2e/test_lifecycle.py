"""Every service's console script starts, connects, and stops cleanly on SIGTERM."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import pytest

from cmis_shared.settings import CmisSettings
from tests.support.ports import free_port
from tests.support.processes import ServiceProcess, service_env

pytestmark = pytest.mark.e2e

# uvicorn shuts down gracefully, then re-raises the signal so the exit status says "ended by
# SIGTERM" (its documented behaviour); FastStream services exit 0.
CLEAN_EXIT = {"dashboard-api": (-signal.SIGTERM,)}
READY = {
    "scheduler": "started successfully",
    "sync-worker": "started successfully",
    "alerting": "started successfully",
    "dashboard-api": "Application startup complete",
}


@pytest.mark.parametrize("service", sorted(READY))
def test_service_starts_and_stops_cleanly_on_sigterm(
    service: str, settings: CmisSettings, tmp_path: Path
) -> None:
    process = ServiceProcess(
        service,
        [str(Path(sys.executable).parent / f"cmis-{service}")],
        service_env(settings, CMIS_SERVICE_NAME=service, CMIS_PORT=str(free_port())),
        tmp_path,
    ).start()
    try:
        process.wait_for_log(READY[service], within=60)
    finally:
        exit_code = process.terminate(within=30)
    assert exit_code in (0, *CLEAN_EXIT.get(service, ())), process.log_text()[-3000:]
    assert "stopped" in process.log_text()  # the runtime closed its connections
    assert "Traceback" not in process.log_text(), process.log_text()[-3000:]
