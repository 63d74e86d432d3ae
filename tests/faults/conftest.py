"""Fixtures of the fault suite: private servers for the session, one running system shared
by the faults in sequence, and the fault table printed at the end.

A system is reused by the next fault only if the previous fault test passed: then every
promise was just checked (runs ended, outbox drained, dead-letter queue as expected, every
process ready, the dashboard equal to a rebuild), so the next fault starts from a sound
system. After a failure it may be broken in ways that would blame the next fault, so a fresh
one (new database, namespace and processes) takes its place. Starting a system (four service
processes and the simulator) was most of the suite's time when each module had its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.faults.checks import FaultRow
from tests.faults.system import Databases, FaultSystem, start_system
from tests.support.private_servers import PrivateServers

FAULT_ROWS: list[FaultRow] = []


@pytest.fixture(scope="session")
def private_servers() -> Iterator[PrivateServers]:
    servers = PrivateServers()
    servers.start()  # raises with the server's log: the suite fails, never skips
    try:
        yield servers
    finally:
        servers.destroy()


@pytest.fixture(scope="session")
def fault_databases(private_servers: PrivateServers) -> Databases:
    databases = Databases(private_servers)
    asyncio.run(databases.create_template())
    return databases


# Two scheduler processes: the scheduler replica fault kills one for good; the faults after
# it run with the other, as production would until the replica is replaced.
SCHEDULER_PROCESSES = 2


class SystemSlot:
    """The running system, replaced when a fault test left it failed."""

    def __init__(
        self, servers: PrivateServers, databases: Databases, log_dir: Path, schedulers: int
    ) -> None:
        self._servers = servers
        self._databases = databases
        self._log_dir = log_dir
        self._schedulers = schedulers
        self.current: FaultSystem | None = None

    async def get(self) -> FaultSystem:
        if self.current is None:
            self.current = await start_system(
                self._servers, self._databases, self._log_dir, schedulers=self._schedulers
            )
        return self.current

    async def discard(self) -> None:
        if self.current is not None:
            await self.current.stop()
            self.current = None


@pytest.fixture(scope="session")
async def system_slot(
    private_servers: PrivateServers,
    fault_databases: Databases,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[SystemSlot]:
    slot = SystemSlot(
        private_servers, fault_databases, tmp_path_factory.mktemp("faults"), SCHEDULER_PROCESSES
    )
    try:
        yield slot
    finally:
        await slot.discard()


@pytest.fixture
async def fault_system(
    request: pytest.FixtureRequest, system_slot: SystemSlot, private_servers: PrivateServers
) -> AsyncIterator[FaultSystem]:
    system = await system_slot.get()
    try:
        yield system
    finally:
        await asyncio.to_thread(private_servers.ensure_running)
        report = getattr(request.node, "rep_call", None)
        if report is None or report.failed:
            await system_slot.discard()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    report = yield
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]
    return report


def _table() -> str:
    lines = [
        "| fault | runs lost | duplicated | stuck | dead-lettered | seconds to recover | ok |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in FAULT_ROWS:
        seconds = "never" if row.seconds_to_recover is None else f"{row.seconds_to_recover:.1f}"
        lines.append(
            f"| {row.fault} | {row.lost} | {row.duplicated} | {row.stuck} | "
            f"{row.dead_lettered} | {seconds} | {'yes' if not row.failures else 'NO'} |"
        )
    return "\n".join(lines) + "\n"


def _write_table(rootpath: Path) -> Path:
    """The table, and beside it every broken promise of each fault (readable while the
    suite still runs: pytest shows a failure's message only at the end)."""
    out = rootpath / ".run" / "fault-table.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(_table())
    failures = "".join(
        f"## {row.fault}\n" + "".join(f"- {failure}\n" for failure in row.failures)
        for row in FAULT_ROWS
        if row.failures
    )
    (out.parent / "fault-failures.md").write_text(failures)
    return out


@pytest.hookimpl(trylast=True)
def pytest_runtest_logfinish(nodeid: str, location: tuple[str, int | None, str]) -> None:
    """Written after every fault too, so an interrupted run still leaves its rows."""
    if FAULT_ROWS and nodeid.startswith("tests/faults/"):
        _write_table(Path.cwd())


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not FAULT_ROWS:
        return
    terminalreporter.section("fault table")
    terminalreporter.write(_table())
    out = _write_table(Path(terminalreporter.config.rootpath))
    terminalreporter.write_line(f"written to {out}")
