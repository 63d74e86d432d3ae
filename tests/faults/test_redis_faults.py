"""Redis faults: a restart that loses every key, and 30 s unreachable (the process frozen, so
connections hang as behind a dead link rather than being refused)."""

from __future__ import annotations

import asyncio

import pytest

from tests.faults.scenario import assert_kept_promises, in_thread, run_fault
from tests.faults.system import FaultSystem

# A fresh system, the fault, recovery and checks: minutes on a loaded 2-core host.
pytestmark = [pytest.mark.faults, pytest.mark.timeout(600)]

OUTAGE_SECONDS = 30


async def test_redis_restarted_with_its_data_lost(fault_system: FaultSystem) -> None:
    redis = fault_system.servers.redis
    row = await run_fault(
        fault_system, "Redis restarted, data lost", lambda: in_thread(redis.restart)
    )
    assert_kept_promises(row, fault_system)


async def test_redis_unreachable_for_30_seconds(fault_system: FaultSystem) -> None:
    redis = fault_system.servers.redis

    async def outage() -> None:
        redis.pause()
        try:
            await asyncio.sleep(OUTAGE_SECONDS)
        finally:
            redis.resume()

    row = await run_fault(fault_system, "Redis unreachable for 30 s", outage)
    assert_kept_promises(row, fault_system)
