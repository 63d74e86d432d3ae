"""One fault test's shape: steady load, the fault, recovery, every check, one table row."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import datetime

import asyncpg

from cmis_shared.db.engine import asyncpg_dsn
from tests.faults.checks import FaultRow, verify
from tests.faults.conftest import FAULT_ROWS
from tests.faults.load import ManualLoad, TerminalEventQueue
from tests.faults.system import FaultSystem

WARM_UP_SECONDS = 4.0  # scheduled and manual syncs in flight when the fault strikes


async def watch_outcomes(system: FaultSystem) -> tuple[TerminalEventQueue, datetime]:
    """Before a fault: the queue that keeps every terminal event, and the database's now."""
    terminal = TerminalEventQueue(system)
    await terminal.declare()
    connection = await asyncpg.connect(asyncpg_dsn(system.settings.database_url))
    try:
        since = await connection.fetchval("SELECT clock_timestamp()")
    finally:
        await connection.close()
    return terminal, since


async def run_fault(
    system: FaultSystem,
    fault: str,
    inject: Callable[[], Awaitable[None]],
    *,
    dead_letters_expected: int = 0,
) -> FaultRow:
    terminal, since = await watch_outcomes(system)
    load = ManualLoad(system)
    async with load.running():
        await asyncio.sleep(WARM_UP_SECONDS)
        try:
            await inject()
        finally:
            await asyncio.to_thread(system.servers.ensure_running)
        ended = time.monotonic()
        row = await verify(
            system, fault, load, terminal, ended, since, dead_letters_expected=dead_letters_expected
        )
    FAULT_ROWS.append(row)
    return row


def assert_kept_promises(row: FaultRow, system: FaultSystem) -> None:
    assert not row.failures, (
        f"{row.fault}: " + "; ".join(row.failures) + f"\n\nservice logs:\n{system.logs()}"
    )


async def in_thread(action: Callable[[], object]) -> None:
    """Server control blocks (pg_ctl, rabbitmqctl): keep the load running meanwhile."""
    await asyncio.to_thread(action)
