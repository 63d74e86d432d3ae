"""Process faults under load: a worker killed with SIGKILL mid-sync (its process supervisor
starts a new one), and one of two scheduler replicas killed for good."""

from __future__ import annotations

import asyncio

import pytest

from tests.faults.scenario import assert_kept_promises, run_fault
from tests.faults.system import FaultSystem

# A fresh system, the fault, recovery and checks: minutes on a loaded 2-core host.
pytestmark = [pytest.mark.faults, pytest.mark.timeout(600)]


async def test_worker_killed_with_sigkill(fault_system: FaultSystem) -> None:
    worker = fault_system.processes["sync-worker"]

    async def kill_and_replace() -> None:
        worker.kill()
        worker.start()  # what the process supervisor does

    row = await run_fault(fault_system, "sync worker killed (SIGKILL)", kill_and_replace)
    assert_kept_promises(row, fault_system)


async def test_scheduler_replica_killed(fault_system: FaultSystem) -> None:
    async def kill_replica() -> None:
        fault_system.processes.pop("scheduler-2").kill()
        fault_system.metrics_ports.pop("scheduler-2")
        await asyncio.sleep(1)

    row = await run_fault(fault_system, "scheduler replica killed (SIGKILL)", kill_replica)
    assert_kept_promises(row, fault_system)
