"""A three-node RabbitMQ cluster on this machine, the whole system given all three addresses
(``CMIS_RABBIT_URLS``), and under steady load: the node leading the busiest queues stopped
(and left down), then the leader of the busiest queues restarted. Every queue is a quorum
queue, so each keeps a majority and elects a new leader; the services reconnect to another
node on their own. Checked as every fault is (:func:`tests.faults.checks.verify`: nothing
lost, no effect twice, nothing stuck, every process ready, dashboards equal to a rebuild),
plus throughput after recovery against the same window before the fault.

The cluster belongs to this module (started once, always destroyed); it never touches the
machine's own broker or its Erlang cookie (see ``PrivateRabbitCluster``).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import asyncpg
import pytest

from cmis_shared.db.engine import asyncpg_dsn
from cmis_shared.events import SyncTrigger
from cmis_shared.topology import Topology
from tests.faults.checks import FaultRow, probe_recovery, verify
from tests.faults.conftest import FAULT_ROWS
from tests.faults.load import ManualLoad
from tests.faults.scenario import (
    WARM_UP_SECONDS,
    assert_kept_promises,
    in_thread,
    watch_outcomes,
)
from tests.faults.system import Databases, FaultSystem, start_system
from tests.support.private_servers import ClusterServers, PrivateRabbit

pytestmark = [pytest.mark.faults, pytest.mark.timeout(900)]

# Syncs finished in this window just before the fault, and in the same window once the
# system recovered (with the stopped node still down): the second must reach half the first.
THROUGHPUT_WINDOW_SECONDS = 8.0
THROUGHPUT_RECOVERED_RATIO = 0.5


@pytest.fixture(scope="module")
def cluster_servers() -> Iterator[ClusterServers]:
    servers = ClusterServers(3)
    started = time.monotonic()
    servers.start()  # raises with the nodes' logs: the suite fails, never skips
    try:
        print(
            f"\nthree-node RabbitMQ cluster formed in {servers.cluster.formed_in_seconds:.1f} s "
            f"(PostgreSQL and Redis meanwhile: {time.monotonic() - started:.1f} s in all)"
        )
        yield servers
    finally:
        servers.destroy()


@pytest.fixture(scope="module")
async def cluster_system(
    cluster_servers: ClusterServers, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[FaultSystem]:
    databases = Databases(cluster_servers)
    await databases.create_template()
    system = await start_system(
        cluster_servers, databases, tmp_path_factory.mktemp("cluster-faults")
    )
    try:
        yield system
    finally:
        await system.stop()


def busiest_queues(system: FaultSystem) -> list[str]:
    """dashboard-api's queue takes every event; the worker's manual and scheduled lanes take
    the requests of the load."""
    topology = Topology(system.settings.namespace)
    return [
        topology.queue("dashboard-api").name,
        topology.lane_queue("sync-worker", SyncTrigger.SCHEDULED).name,
        topology.lane_queue("sync-worker", SyncTrigger.MANUAL).name,
    ]


def leader_of_busiest(servers: ClusterServers, system: FaultSystem) -> PrivateRabbit:
    leaders = servers.cluster.leaders(busiest_queues(system))
    assert len(leaders) == 3, f"not every busiest queue has a leader: {leaders}"
    name, _ = Counter(leaders.values()).most_common(1)[0]
    return servers.cluster.node_named(name)


async def _finished_within(system: FaultSystem, seconds: float) -> int:
    connection = await asyncpg.connect(asyncpg_dsn(system.settings.database_url), timeout=5)
    try:
        return int(
            await connection.fetchval(
                "SELECT count(*) FROM sync_attempts "
                "WHERE finished_at >= clock_timestamp() - make_interval(secs => $1)",
                seconds,
            )
        )
    finally:
        await connection.close()


async def cluster_fault(
    system: FaultSystem, fault: str, strike: Callable[[], Awaitable[None]]
) -> FaultRow:
    """Like :func:`tests.faults.scenario.run_fault`, with the recovery measured from the
    strike while the fault lasts (a stopped node stays down through the checks) and the
    throughput after recovery compared with before."""
    terminal, since = await watch_outcomes(system)
    load = ManualLoad(system)
    async with load.running():
        # The window before may reach back past the load's start: the schedules run anyway.
        await asyncio.sleep(WARM_UP_SECONDS)
        before = await _finished_within(system, THROUGHPUT_WINDOW_SECONDS)
        struck = time.monotonic()
        await strike()
        strike_seconds = time.monotonic() - struck
        recovered = await probe_recovery(system, struck)
        if recovered is not None:
            await asyncio.sleep(THROUGHPUT_WINDOW_SECONDS)
        after = await _finished_within(system, THROUGHPUT_WINDOW_SECONDS)
        row = await verify(system, fault, load, terminal, time.monotonic(), since)
    row.seconds_to_recover = recovered  # from the strike, not from the checks' own probe
    if recovered is None:
        row.fail("no manual sync succeeded after the strike")
    print(
        f"\n{fault}: the strike took {strike_seconds:.1f} s; recovered "
        f"{recovered if recovered is None else round(recovered, 1)} s after it began; "
        f"syncs finished in {THROUGHPUT_WINDOW_SECONDS:.0f} s: {before} "
        f"before, {after} after recovery"
    )
    if after < THROUGHPUT_RECOVERED_RATIO * before:
        row.fail(f"throughput did not recover: {after} syncs finished after, {before} before")
    FAULT_ROWS.append(row)
    return row


async def test_node_leading_the_busiest_queues_stopped(
    cluster_servers: ClusterServers, cluster_system: FaultSystem
) -> None:
    leader = leader_of_busiest(cluster_servers, cluster_system)

    async def stop_leader() -> None:
        await in_thread(lambda: cluster_servers.stop_node(leader))

    try:
        row = await cluster_fault(
            cluster_system, "cluster node leading the busiest queues stopped", stop_leader
        )
        assert (
            leader.node
            not in cluster_servers.cluster.leaders(busiest_queues(cluster_system)).values()
        ), "a stopped node still leads"
        assert_kept_promises(row, cluster_system)
    finally:
        await in_thread(lambda: cluster_servers.start_node(leader))  # back for the next fault


async def test_node_leading_the_busiest_queues_restarted(
    cluster_servers: ClusterServers, cluster_system: FaultSystem
) -> None:
    leader = leader_of_busiest(cluster_servers, cluster_system)

    async def restart_leader() -> None:
        await in_thread(lambda: cluster_servers.stop_node(leader))
        await in_thread(lambda: cluster_servers.start_node(leader))

    row = await cluster_fault(
        cluster_system, "cluster node leading the busiest queues restarted", restart_leader
    )
    assert_kept_promises(row, cluster_system)
