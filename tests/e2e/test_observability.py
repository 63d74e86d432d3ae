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
    for line in system.trace_file.read_text().splitlines():
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

        def whole_path_traced() -> bool:
            """Every consumer of the completion has finished its span (they run in parallel),
            and so has the worker's own: its span ends after the completion is staged, and each
            process exports its spans in batches of its own, so it may be written last."""
            services = _spans_by_service(system, trace_id)
            worker_done = any(
                span["name"].endswith("sync.requested.manual process")
                for span in services["sync-worker"]
            )
            return worker_done and all(
                any(span["name"].endswith("sync.completed process") for span in services[name])
                for name in ("alerting", "dashboard-api", "scheduler")
            )

        await eventually(whole_path_traced, within=60)
        spans = _spans_by_service(system, trace_id)
        names = {service: {span["name"] for span in found} for service, found in spans.items()}
        everywhere = set().union(*names.values())
        assert any(name.startswith("POST /api/orgs") for name in names["dashboard-api"]), names
        # Any service's outbox relay may publish a staged event: they share the outbox.
        # A sync request travels in its lane: routing key sync.requested.manual.
        assert any(name.endswith("sync.requested.manual publish") for name in everywhere), names
        assert any(
            name.endswith("sync.requested.manual process") for name in names["sync-worker"]
        ), names["sync-worker"]
        assert "GET linkedin" in names["sync-worker"], names["sync-worker"]
        # Database writes: the outbox INSERTs, and the WITH statements that start and finish
        # the attempt (inbox claim, attempt, run, last sync time in one statement each).
        assert {"INSERT", "WITH"} <= names["sync-worker"], names["sync-worker"]
        assert any(name.endswith("sync.completed publish") for name in everywhere), names
        for consumer in ("alerting", "dashboard-api", "scheduler"):
            assert any(name.endswith("sync.completed process") for name in names[consumer])
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
