"""Steady load during a fault: manual triggers among the scheduled syncs, and an independent
queue that keeps every terminal event (``sync.completed``, ``sync.failed``) for counting."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import aio_pika
import httpx
import orjson
from pamqp.common import FieldTable

from cmis_shared.topology import Topology
from tests.faults.system import FaultSystem

DATA_TYPES = ("campaigns", "metrics", "posts")
# 0.4 s (with syncs every 3 and 5 s) outran a loaded 2-core host: metrics syncs queued for
# minutes behind the simulator and every fault looked like stuck work.
TRIGGER_EVERY_SECONDS = 1.0
# Replicated like the system's own queues: in a cluster it survives the node a fault stops.
QUORUM: FieldTable = {"x-queue-type": "quorum"}


@dataclass
class ManualLoad:
    """Triggers a manual sync of a random integration every few hundred milliseconds and
    remembers every run id the API accepted (202)."""

    system: FaultSystem
    run_ids: set[str] = field(default_factory=set)
    answers: Counter[str] = field(default_factory=Counter)
    _task: asyncio.Task[None] | None = None

    async def _loop(self) -> None:
        chooser = random.Random(13)
        while True:
            org = chooser.choice(self.system.orgs)
            integration = chooser.choice(org.integrations)
            try:
                response = await org.client.post(
                    f"/api/orgs/{org.org_id}/sync/integrations/{integration}/trigger",
                    json={"data_type": chooser.choice(DATA_TYPES)},
                )
            except httpx.TransportError as error:
                self.answers[type(error).__name__] += 1
            else:
                self.answers[str(response.status_code)] += 1
                if response.status_code == 202:
                    self.run_ids.update(str(run["run_id"]) for run in response.json()["runs"])
            await asyncio.sleep(TRIGGER_EVERY_SECONDS)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[ManualLoad]:
        self._task = asyncio.create_task(self._loop())
        try:
            yield self
        finally:
            self.stop()

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()


@dataclass(frozen=True)
class TerminalEvent:
    event_id: str
    event_type: str
    run_id: str
    attempt: int


class TerminalEventQueue:
    """A quorum queue of our own bound to the outcomes: it outlives broker restarts and is
    read only at the end, so nothing in the system under test knows it is there."""

    def __init__(self, system: FaultSystem) -> None:
        self._servers = system.servers
        self._topology = Topology(system.settings.namespace)
        self.name = f"{system.settings.namespace}faults.terminal-events"

    @property
    def _url(self) -> str:
        """A running node's address (in a cluster, the node stopped by the fault is not)."""
        return self._servers.rabbit.url

    async def declare(self) -> None:
        connection = await aio_pika.connect(self._url)
        async with connection:
            channel = await connection.channel()
            exchange = await channel.get_exchange(self._topology.exchange.name)
            queue = await channel.declare_queue(self.name, durable=True, arguments=QUORUM)
            for routing_key in ("sync.completed", "sync.failed"):
                await queue.bind(exchange, routing_key)

    async def drain(self) -> list[TerminalEvent]:
        events: list[TerminalEvent] = []
        connection = await aio_pika.connect(self._url)
        async with connection:
            channel = await connection.channel()
            queue = await channel.declare_queue(self.name, durable=True, arguments=QUORUM)
            while (message := await queue.get(no_ack=True, fail=False)) is not None:
                body = orjson.loads(message.body)
                events.append(
                    TerminalEvent(
                        str(body["event_id"]),
                        str(body["event_type"]),
                        str(body["run_id"]),
                        int(body["attempt"]),
                    )
                )
        return events
