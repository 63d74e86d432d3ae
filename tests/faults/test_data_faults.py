"""Faults carried by data: a poison request on the worker queue (at default settings), platform
text with NUL bytes and over-long strings, and a run stuck with its request message lost."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import aio_pika
import asyncpg
import pytest

from cmis_shared.db.engine import asyncpg_dsn
from cmis_shared.events import DataType, Platform, SyncRequested, SyncTrigger
from cmis_shared.statuses import RunStatus
from cmis_shared.topology import Topology, event_routing_key
from tests.faults.scenario import assert_kept_promises, run_fault
from tests.faults.system import FaultSystem

# A fresh system, the fault, recovery and checks: minutes on a loaded 2-core host.
pytestmark = [pytest.mark.faults, pytest.mark.timeout(600)]

DIRTY_SECONDS = 8  # several scheduled and manual syncs read the dirty text
# An attempt number no smallint column holds: every delivery fails the same way, as a
# message whose data the handler cannot store does.
POISON_ATTEMPT = 40_000


async def _db(system: FaultSystem) -> asyncpg.Connection:
    return await asyncpg.connect(asyncpg_dsn(system.settings.database_url))


async def test_poison_request_ends_in_the_dead_letter_queue(fault_system: FaultSystem) -> None:
    org = fault_system.orgs[1]
    poison = SyncRequested(
        org_id=org.org_id,
        run_id=uuid.uuid4(),
        integration_id=uuid.UUID(org.integrations[0]),
        platform=Platform.GOOGLE,
        data_type=DataType.CAMPAIGNS,
        trigger=SyncTrigger.SCHEDULED,
        attempt=POISON_ATTEMPT,
    )

    async def publish_poison() -> None:
        connection = await aio_pika.connect(fault_system.servers.rabbit.url)
        async with connection:
            channel = await connection.channel()
            exchange = await channel.get_exchange(
                Topology(fault_system.settings.namespace).exchange.name
            )
            await exchange.publish(
                aio_pika.Message(
                    poison.to_json(),
                    message_id=str(poison.event_id),
                    content_type="application/json",
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                ),
                routing_key=event_routing_key(poison),  # the scheduled lane
            )
        await asyncio.sleep(5)  # redeliveries happen meanwhile

    try:
        row = await run_fault(
            fault_system,
            "poison request (default settings)",
            publish_poison,
            dead_letters_expected=1,
        )
    finally:
        # Read and judged: purged as an operator would, so the next fault starts with an
        # empty dead-letter queue.
        await _purge_dead_letters(fault_system)
    assert_kept_promises(row, fault_system)


async def _purge_dead_letters(system: FaultSystem) -> None:
    connection = await aio_pika.connect(system.servers.rabbit.url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(
            Topology(system.settings.namespace).dead_letter_queue.name, passive=True
        )
        await queue.purge()


async def test_platform_text_with_nul_bytes_and_overlong_strings(fault_system: FaultSystem) -> None:
    proxy = fault_system.proxy
    window: dict[str, datetime] = {}

    async def dirty_platforms() -> None:
        window["start"] = datetime.now(UTC)
        proxy.dirty = True
        try:
            await asyncio.sleep(DIRTY_SECONDS)
        finally:
            proxy.dirty = False
            window["end"] = datetime.now(UTC)

    row = await run_fault(
        fault_system, "platform text with NUL and over-long strings", dirty_platforms
    )
    connection = await _db(fault_system)
    try:
        outcomes = dict(
            await connection.fetch(
                "SELECT status, count(*) FROM sync_runs WHERE started_at BETWEEN $1 AND $2 "
                "GROUP BY status",
                window["start"],
                window["end"],
            )
        )
    finally:
        await connection.close()
    if outcomes.get(RunStatus.FAILED.value):
        row.fail(f"syncs of dirty platform text failed instead of storing it cleaned: {outcomes}")
    if not outcomes.get(RunStatus.SUCCESS.value):
        row.fail(f"no sync of dirty platform text succeeded: {outcomes}")
    assert_kept_promises(row, fault_system)


async def test_run_stuck_with_its_message_lost(fault_system: FaultSystem) -> None:
    org = fault_system.orgs[2]
    integration = org.integrations[1]
    stuck: dict[str, str] = {}

    async def lose_a_request() -> None:
        """A run recorded as queued two days ago whose request never reached the broker."""
        connection = await _db(fault_system)
        try:
            while "run_id" not in stuck:
                run_id = await connection.fetchval(
                    "INSERT INTO sync_runs (id, org_id, integration_id, platform, data_type, "
                    "trigger, correlation_id, status, attempt, requested_at) "
                    "SELECT gen_random_uuid(), org_id, id, platform, $2, $3, gen_random_uuid(), "
                    "$4, 1, $5 FROM integrations WHERE id = $1::uuid "
                    "ON CONFLICT DO NOTHING RETURNING id",
                    integration,
                    DataType.POSTS.value,
                    SyncTrigger.SCHEDULED.value,
                    RunStatus.QUEUED.value,
                    datetime.now(UTC) - timedelta(days=2),
                )
                if run_id is not None:
                    stuck["run_id"] = str(run_id)
                else:  # a real posts run is active right now: take the slot when it ends
                    await asyncio.sleep(0.2)
        finally:
            await connection.close()

    row = await run_fault(fault_system, "run stuck, its message lost", lose_a_request)
    response = await org.client.post(
        f"/api/orgs/{org.org_id}/sync/integrations/{integration}/trigger",
        json={"data_type": DataType.POSTS.value},
    )
    if response.status_code != 202:
        row.fail(f"manual trigger after the stuck run answered {response.status_code}")
    elif response.json()["runs"][0]["run_id"] == stuck["run_id"]:
        row.fail("a manual trigger returned the stuck run instead of starting a new one")
    assert_kept_promises(row, fault_system)
