"""As an SRE and as another internal service would see the system: one trace for the whole
path of a manual sync, Prometheus metrics on every service, and the documented
``sync.completed`` contract on a queue of one's own."""

from __future__ import annotations

import json
import secrets
from collections import defaultdict
from typing import Any

import aio_pika
import httpx
import pytest

from cmis_shared.events import Platform, SyncCompleted, parse_event
from tests.e2e.conftest import SERVICES, System, Tenant
from tests.e2e.helpers import connect, integration_status
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e


def _spans_by_service(system: System, trace_id: str) -> dict[str, list[dict[str, Any]]]:
    by_service: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if not system.trace_file.exists():
        return by_service
    text = system.trace_file.read_text()
    # Services append while this reads: a last line without its newline is still being written.
    for line in text[: text.rfind("\n") + 1].splitlines():
        span = json.loads(line)
        if span["context"]["trace_id"] == f"0x{trace_id}":
            by_service[span["resource"]["attributes"]["service.name"]].append(span)
    return by_service


async def test_a_manual_sync_is_one_trace_and_reaches_a_new_consumer_as_documented(
    system: System, tenant: Tenant
) -> None:
    connection = await aio_pika.connect_robust(system.settings.rabbit_url)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.get_exchange(f"{system.settings.namespace}cmis.events")
        bi_loader = await channel.declare_queue(
            f"{system.settings.namespace}e2e.bi-loader", auto_delete=True
        )
        await bi_loader.bind(exchange, routing_key="sync.completed")

        integration = await connect(system, tenant, Platform.LINKEDIN, index=0)
        trace_id = secrets.token_hex(16)
        response = await tenant.client.post(
            f"/api/orgs/{tenant.org_id}/sync/integrations/{integration['id']}/trigger",
            json={"data_type": "campaigns"},
            headers={"traceparent": f"00-{trace_id}-{secrets.token_hex(8)}-01"},
        )
        assert response.status_code == 202, response.text
        run_id = response.json()["runs"][0]["run_id"]

        async def succeeded() -> bool:
            status = await integration_status(tenant, integration["id"])
            return any(
                run["run_id"] == run_id and run["status"] == "success"
                for run in status["recent_runs"]
            )

        await eventually(succeeded, within=60)

        def untraced(names: dict[str, set[str]]) -> list[str]:
            """The steps of the path without their span yet. Each process writes a span when
            it ends, and the steps end in no fixed order across processes: a consumer of the
            completion may end before the relay that published it has its confirm, in
            another process (any service's relay may publish a staged event)."""
            everywhere = set().union(*names.values())
            steps = {
                "dashboard-api: POST /api/orgs...": any(
                    name.startswith("POST /api/orgs") for name in names["dashboard-api"]
                ),
                # A sync request travels in its lane: routing key sync.requested.manual.
                "sync.requested.manual publish": any(
                    name.endswith("sync.requested.manual publish") for name in everywhere
                ),
                "sync-worker: sync.requested.manual process": any(
                    name.endswith("sync.requested.manual process") for name in names["sync-worker"]
                ),
                "sync-worker: GET linkedin": "GET linkedin" in names["sync-worker"],
                # Database writes: the outbox INSERTs, and the WITH statements that start and
                # finish the attempt (inbox claim, attempt, run, last sync time in one
                # statement each).
                "sync-worker: INSERT, WITH": {"INSERT", "WITH"} <= names["sync-worker"],
                "sync.completed publish": any(
                    name.endswith("sync.completed publish") for name in everywhere
                ),
                **{
                    f"{consumer}: sync.completed process": any(
                        name.endswith("sync.completed process") for name in names[consumer]
                    )
                    for consumer in ("alerting", "dashboard-api", "scheduler")
                },
            }
            return [step for step, traced in steps.items() if not traced]

        def names_by_service() -> dict[str, set[str]]:
            names: dict[str, set[str]] = defaultdict(set)
            for service, found in _spans_by_service(system, trace_id).items():
                names[service] = {span["name"] for span in found}
            return names

        try:
            await eventually(lambda: not untraced(names_by_service()), within=60)
        except AssertionError:
            names = names_by_service()
            raise AssertionError(f"not traced: {untraced(names)}; spans: {dict(names)}") from None
        spans = _spans_by_service(system, trace_id)
        flat = json.dumps(spans)
        assert "sim-e2e" not in flat and "sim-refresh-e2e" not in flat  # no token in any span

        received: list[SyncCompleted] = []
        async with bi_loader.iterator(timeout=10) as messages:
            async for message in messages:
                async with message.process():
                    event = parse_event(message.body)
                    assert isinstance(event, SyncCompleted)
                    assert message.message_id == str(event.event_id)
                    received.append(event)
                if any(str(event.run_id) == run_id for event in received):
                    break
        ours = next(event for event in received if str(event.run_id) == run_id)
        assert ours.counts["campaigns"] == system.sim.dataset.size.campaigns


async def test_every_service_exposes_prometheus_metrics(system: System) -> None:
    async with httpx.AsyncClient(timeout=5) as client:
        for service in SERVICES:
            port = system.metrics_ports[service]
            body = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
            assert "cmis_events_consumed_total" in body, service
            assert "cmis_event_lag_seconds_bucket" in body, service
            assert "cmis_event_handling_seconds_bucket" in body, service
            assert "cmis_received_messages_total" in body, service
