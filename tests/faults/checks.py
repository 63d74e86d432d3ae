"""After a fault: wait for recovery, let the work settle, then check every promise the
system makes and measure one row of the fault table.

Every check runs and is recorded, so a failing test lists every broken promise at once, not
only the first.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aio_pika
import asyncpg
import httpx
import orjson

from cmis_dashboard_api.adapters.exchange_rates import SqlExchangeRates
from cmis_dashboard_api.adapters.view_queries import load_state
from cmis_dashboard_api.domain.render import render_dashboard
from cmis_dashboard_api.domain.state import DEFAULT_PERIOD_DAYS
from cmis_dashboard_api.schemas.jsonbytes import dumps
from cmis_shared.db.engine import asyncpg_dsn, create_engine, create_session_factory
from cmis_shared.statuses import ACTIVE_RUN_STATUSES, RunStatus
from cmis_shared.topology import SERVICE_QUEUES, Topology
from tests.faults.load import ManualLoad, TerminalEvent, TerminalEventQueue
from tests.faults.system import FaultSystem

# Generous: a killed worker's replacement imports its code first (over 60 s once on a loaded
# host); the probe ends as soon as a sync succeeds.
RECOVERY_LIMIT_SECONDS = 90.0
# Under load (2 shared cores, five other sessions) a backlog of first metrics syncs (90 days
# of backfill behind the per-platform limiter) took 70 s to drain after a fault: still
# running, not stuck. The wait ends as soon as everything settled.
SETTLE_LIMIT_SECONDS = 90.0
READY_LIMIT_SECONDS = 15.0
DASHBOARD_LIMIT_SECONDS = 10.0
TERMINAL = (RunStatus.SUCCESS.value, RunStatus.FAILED.value)
NOT_TERMINAL = [*(status.value for status in ACTIVE_RUN_STATUSES), RunStatus.RETRYING.value]


# The scheduled syncs go on during the checks, so rows staged after the cutoff are in flight,
# not left behind: the outbox is never empty for an instant on a slow host. What must hold is
# that everything staged before the checks began was published.
_OUTBOX_BEFORE_CUTOFF = "SELECT count(*) FROM outbox WHERE created_at < $1"
_PAUSE_SCHEDULES = "UPDATE schedule_entries SET enabled = false WHERE enabled RETURNING id"
_RESUME_SCHEDULES = "UPDATE schedule_entries SET enabled = true WHERE id = ANY($1::uuid[])"


@dataclass
class FaultRow:
    fault: str
    lost: int = 0
    duplicated: int = 0
    stuck: int = 0
    dead_lettered: int = 0
    seconds_to_recover: float | None = None
    failures: list[str] = field(default_factory=list)

    def fail(self, message: str) -> None:
        self.failures.append(message)


async def _db(system: FaultSystem) -> asyncpg.Connection:
    return await asyncpg.connect(asyncpg_dsn(system.settings.database_url), timeout=5)


async def probe_recovery(system: FaultSystem, since: float) -> float | None:
    """Seconds from ``since`` (the fault's end, monotonic) until a fresh manual sync succeeds
    end to end; ``None`` if none does within the limit."""
    org = system.orgs[0]
    integration = org.integrations[0]
    url = f"/api/orgs/{org.org_id}/sync/integrations/{integration}/trigger"
    deadline = since + RECOVERY_LIMIT_SECONDS
    while time.monotonic() < deadline:
        try:
            response = await org.client.post(url, json={"data_type": "campaigns"})
            if response.status_code == 202:
                run_id = response.json()["runs"][0]["run_id"]
                if await _wait_run_success(system, run_id, deadline):
                    return time.monotonic() - since
        except (httpx.TransportError, OSError, asyncpg.PostgresError):
            pass
        await asyncio.sleep(0.5)
    return None


async def _wait_run_success(system: FaultSystem, run_id: str, deadline: float) -> bool:
    while time.monotonic() < deadline:
        try:
            connection = await _db(system)
            try:
                status = await connection.fetchval(
                    "SELECT status FROM sync_runs WHERE id = $1::uuid", run_id
                )
            finally:
                await connection.close()
        except (OSError, asyncpg.PostgresError):
            status = None
        if status == RunStatus.SUCCESS.value:
            return True
        if status == RunStatus.FAILED.value:
            return False
        await asyncio.sleep(0.3)
    return False


async def verify(
    system: FaultSystem,
    fault: str,
    load: ManualLoad,
    terminal: TerminalEventQueue,
    fault_ended: float,
    since: datetime,
    *,
    dead_letters_expected: int = 0,
) -> FaultRow:
    row = FaultRow(fault, seconds_to_recover=await probe_recovery(system, fault_ended))
    if row.seconds_to_recover is None:
        row.fail(f"no manual sync succeeded within {RECOVERY_LIMIT_SECONDS} s of the fault's end")
    load.stop()
    connection = await _db(system)
    try:
        cutoff = await connection.fetchval("SELECT clock_timestamp()")
        # No new scheduled syncs while the promises are checked: the dashboard can only be
        # compared with a rebuild once nothing is in flight, and under a steady schedule
        # something always is. Scheduling resumes for the module's next fault.
        paused = [r["id"] for r in await connection.fetch(_PAUSE_SCHEDULES)]
        try:
            if row.seconds_to_recover is not None:  # a system that never recovered never settles
                await _settle(connection, cutoff)
            await _check_runs(connection, row, load, cutoff)
            await _check_terminal_events(connection, row, await terminal.drain(), since, cutoff)
            await _check_duplicate_rows(connection, row)
            outbox = await connection.fetchval(_OUTBOX_BEFORE_CUTOFF, cutoff)
            if outbox:
                row.fail(f"outbox not drained: {outbox} rows staged before the checks began")
            await _check_broker(system, row, dead_letters_expected)
            _check_processes(system, row)
            await _check_ready(system, row)
            if row.seconds_to_recover is not None:
                await _settle(connection, None)
            await _check_dashboards(system, row)
        finally:
            await connection.execute(_RESUME_SCHEDULES, paused)
    finally:
        await connection.close()
    return row


async def _settle(connection: asyncpg.Connection, cutoff: datetime | None) -> None:
    """Wait until every run requested before the cutoff (``None``: every run) ended and the
    outbox holds nothing staged before it."""
    deadline = time.monotonic() + SETTLE_LIMIT_SECONDS
    while time.monotonic() < deadline:
        before = cutoff or await connection.fetchval("SELECT clock_timestamp()")
        open_runs = await connection.fetchval(
            "SELECT count(*) FROM sync_runs WHERE requested_at < $1 AND status = ANY($2)",
            before,
            NOT_TERMINAL,
        )
        outbox = await connection.fetchval(_OUTBOX_BEFORE_CUTOFF, before)
        if open_runs == 0 and outbox == 0:
            return
        await asyncio.sleep(0.5)


async def _check_runs(
    connection: asyncpg.Connection, row: FaultRow, load: ManualLoad, cutoff: datetime
) -> None:
    stuck = await connection.fetch(
        "SELECT id, status, trigger, requested_at FROM sync_runs "
        "WHERE requested_at < $1 AND status = ANY($2)",
        cutoff,
        NOT_TERMINAL,
    )
    row.stuck = len(stuck)
    if stuck:
        sample = ", ".join(f"{r['status']} {r['trigger']}" for r in stuck[:5])
        row.fail(f"{len(stuck)} runs never reached a terminal state ({sample})")
    known = {
        str(r["id"])
        for r in await connection.fetch(
            "SELECT id FROM sync_runs WHERE id = ANY($1::uuid[])", list(load.run_ids)
        )
    }
    missing = load.run_ids - known
    row.lost += len(missing)
    if missing:
        row.fail(f"{len(missing)} accepted manual runs have no row in sync_runs")


async def _check_terminal_events(
    connection: asyncpg.Connection,
    row: FaultRow,
    events: list[TerminalEvent],
    since: datetime,
    cutoff: datetime,
) -> None:
    """Exactly one terminal event per finished attempt (distinct event ids: a redelivery of
    the same event is at-least-once delivery, a second event id is a second outcome)."""
    per_attempt: dict[tuple[str, int], set[str]] = defaultdict(set)
    for event in events:
        per_attempt[(event.run_id, event.attempt)].add(event.event_id)
    duplicated = [key for key, ids in per_attempt.items() if len(ids) > 1]
    row.duplicated += len(duplicated)
    if duplicated:
        row.fail(f"{len(duplicated)} attempts have more than one terminal event")
    finished = await connection.fetch(
        "SELECT a.run_id, a.attempt FROM sync_attempts a "
        "WHERE a.started_at >= $1 AND a.finished_at IS NOT NULL AND a.finished_at < $2",
        since,
        cutoff,
    )
    silent = [r for r in finished if (str(r["run_id"]), r["attempt"]) not in per_attempt]
    row.lost += len(silent)
    if silent:
        row.fail(f"{len(silent)} finished attempts never published their terminal event")


async def _check_duplicate_rows(connection: asyncpg.Connection, row: FaultRow) -> None:
    queries = {
        "alert history entries caused twice by one event": (
            "SELECT count(*) FROM (SELECT 1 FROM alert_history WHERE cause_event_id IS NOT NULL "
            "GROUP BY alert_id, action, cause_event_id HAVING count(*) > 1) d"
        ),
        "attempts numbered past their run's attempt": (
            "SELECT count(*) FROM sync_attempts a JOIN sync_runs r ON r.id = a.run_id "
            "WHERE a.attempt > r.attempt"
        ),
        "runs requested twice by one retry": (
            "SELECT count(*) FROM (SELECT 1 FROM retry_entries "
            "GROUP BY run_id, attempt HAVING count(*) > 1) d"
        ),
    }
    for what, sql in queries.items():
        count = await connection.fetchval(sql)
        if count:
            row.duplicated += count
            row.fail(f"duplicate rows: {count} {what}")


async def _check_broker(system: FaultSystem, row: FaultRow, dead_letters_expected: int) -> None:
    topology = Topology(system.settings.namespace)
    try:
        connection = await aio_pika.connect(system.servers.rabbit.url, timeout=10)
    except (OSError, aio_pika.exceptions.AMQPError) as error:
        row.fail(f"broker unreachable after recovery: {error!r}")
        return
    async with connection:
        channel = await connection.channel()
        dead = await channel.declare_queue(topology.dead_letter_queue.name, passive=True)
        row.dead_lettered = dead.declaration_result.message_count or 0
        if row.dead_lettered != dead_letters_expected:
            row.fail(
                f"dead-letter queue holds {row.dead_lettered} messages, "
                f"expected {dead_letters_expected}"
            )
        for service in SERVICE_QUEUES:
            for spec in topology.queues(service):
                queue = await channel.declare_queue(spec.name, passive=True)
                if not queue.declaration_result.consumer_count:
                    row.fail(f"{service}: no consumer on {spec.name}")


def _check_processes(system: FaultSystem, row: FaultRow) -> None:
    for name, process in system.processes.items():
        if process.process is None or process.process.poll() is not None:
            row.fail(f"{name} is not running")


async def _check_ready(system: FaultSystem, row: FaultRow) -> None:
    """The /readyz contract: HTTP 200 on every service's metrics port once it has recovered."""
    deadline = time.monotonic() + READY_LIMIT_SECONDS
    pending = {
        name: port for name, port in system.metrics_ports.items() if system.processes[name].process
    }
    answers: dict[str, str] = {}
    # Longer than a service's own check timeout (3 s): a slow check answers 503, not nothing.
    async with httpx.AsyncClient(timeout=10) as client:
        while pending and time.monotonic() < deadline:
            for name, port in list(pending.items()):
                try:
                    response = await client.get(f"http://127.0.0.1:{port}/readyz")
                    answers[name] = f"{response.status_code} {response.text[:400]}"
                    if response.status_code == 200 and response.text.startswith("# HELP"):
                        # prometheus_client serves its metrics on every path: that is no
                        # readiness check, and it will not become one by waiting.
                        del pending[name]
                        row.fail(f"{name}: no /readyz (the metrics server answered)")
                    elif response.status_code in (200, 404):  # 404 is final too
                        del pending[name]
                        if response.status_code == 404:
                            row.fail(f"{name}: no /readyz on its metrics port (404)")
                except httpx.TransportError as error:
                    answers[name] = type(error).__name__
            await asyncio.sleep(0.5)
    for name in pending:
        row.fail(f"{name}: /readyz not green ({answers.get(name)})")


async def _check_dashboards(system: FaultSystem, row: FaultRow) -> None:
    """The materialized view equals a rebuild from PostgreSQL (events still in flight may
    make one comparison differ, so a difference must persist to count)."""
    engine = create_engine(system.settings)
    sessions = create_session_factory(engine)
    differing: dict[str, dict[str, tuple[object, object]]] = {}
    # The rates the API converts with (its own read of the same table).
    rates = SqlExchangeRates(sessions, history_days=130, cache_seconds=0)
    try:
        deadline = time.monotonic() + DASHBOARD_LIMIT_SECONDS
        pending = list(system.orgs)
        while pending and time.monotonic() < deadline:
            for org in list(pending):
                served = await _served_view(org.client, org.org_id)
                now = datetime.now(UTC)
                async with sessions() as session:
                    state = await load_state(session, org.org_id, now, DEFAULT_PERIOD_DAYS)
                assert state is not None
                book = await rates.book()
                rebuilt = _comparable(orjson.loads(dumps(render_dashboard(state, now, book))))
                differing[str(org.org_id)] = _differing_keys(served, rebuilt)
                if not differing[str(org.org_id)]:
                    pending.remove(org)
            await asyncio.sleep(1)
    finally:
        await engine.dispose()
    for org in pending:
        sections = differing.get(str(org.org_id), {})
        shown = "; ".join(
            f"{key}: served {served!r} rebuilt {rebuilt!r}"
            for key, (served, rebuilt) in sorted(sections.items())
        )
        row.fail(
            f"dashboard of org {org.org_id} differs from a rebuild in {sorted(sections)}: "
            + shown[:3000]
        )


def _differing_keys(
    served: dict[str, Any] | str, rebuilt: dict[str, Any]
) -> dict[str, tuple[object, object]]:
    """Each differing section with both values (what a failure shows)."""
    if isinstance(served, str):
        return {"view": (served, None)}
    return {
        key: (served.get(key), rebuilt.get(key))
        for key in {*served, *rebuilt}
        if served.get(key) != rebuilt.get(key)
    }


async def _served_view(client: httpx.AsyncClient, org_id: object) -> dict[str, Any] | str:
    try:
        response = await client.get(f"/api/orgs/{org_id}/dashboard")
    except httpx.TransportError as error:
        return f"unreachable: {error!r}"
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    return _comparable(response.json())


def _comparable(view: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in view.items() if key != "updated_at"}
