"""PostgreSQL faults: a restart, a 30 s outage, every service connection terminated."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from tests.faults.scenario import assert_kept_promises, in_thread, run_fault
from tests.faults.system import FaultSystem

# A fresh system, the fault, recovery and checks: minutes on a loaded 2-core host.
pytestmark = [pytest.mark.faults, pytest.mark.timeout(600)]

OUTAGE_SECONDS = 30


async def test_postgres_restarted(fault_system: FaultSystem) -> None:
    postgres = fault_system.servers.postgres
    row = await run_fault(fault_system, "PostgreSQL restarted", lambda: in_thread(postgres.restart))
    assert_kept_promises(row, fault_system)


async def test_postgres_stopped_for_30_seconds(fault_system: FaultSystem) -> None:
    postgres = fault_system.servers.postgres

    async def outage() -> None:
        await in_thread(postgres.stop)
        await asyncio.sleep(OUTAGE_SECONDS)
        await in_thread(postgres.start)

    row = await run_fault(fault_system, "PostgreSQL stopped for 30 s", outage)
    assert_kept_promises(row, fault_system)


async def test_every_service_connection_terminated(fault_system: FaultSystem) -> None:
    async def terminate() -> None:
        connection = await asyncpg.connect(
            f"postgresql://postgres@127.0.0.1:{fault_system.servers.postgres.port}/postgres"
        )
        try:
            await connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'"
            )
        finally:
            await connection.close()

    row = await run_fault(fault_system, "every PostgreSQL connection terminated", terminate)
    assert_kept_promises(row, fault_system)
