"""RabbitMQ faults: a restart of the node, and every client connection closed."""

from __future__ import annotations

import pytest

from tests.faults.scenario import assert_kept_promises, in_thread, run_fault
from tests.faults.system import FaultSystem

# A fresh system, the fault, recovery and checks: minutes on a loaded 2-core host.
pytestmark = [pytest.mark.faults, pytest.mark.timeout(600)]


async def test_rabbitmq_restarted(fault_system: FaultSystem) -> None:
    rabbit = fault_system.servers.rabbit
    row = await run_fault(fault_system, "RabbitMQ restarted", lambda: in_thread(rabbit.restart))
    assert_kept_promises(row, fault_system)


async def test_every_broker_connection_closed(fault_system: FaultSystem) -> None:
    rabbit = fault_system.servers.rabbit

    async def close_all() -> None:
        await in_thread(lambda: rabbit.ctl("close_all_connections", "fault suite"))

    row = await run_fault(fault_system, "every RabbitMQ connection closed", close_all)
    assert_kept_promises(row, fault_system)
