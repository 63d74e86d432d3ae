"""Freshness: time from an event's publication on the broker to its effect being visible in
the dashboard GET of the running API process (DESIGN.md goal: p99 <= 250 ms; the seed's
design: up to 1 hour of schedule plus a 15-minute cache)."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from statistics import quantiles

import httpx
from opentelemetry.sdk.trace import TracerProvider

from cmis_shared.broker import build_broker
from cmis_shared.events import CampaignFact, MetricTotals, SyncCompleted
from cmis_shared.topology import Topology
from tests.benchmarks.bench_dashboard import RunningApi, running_api
from tests.benchmarks.common import BenchResult, print_results

POLL_SECONDS = 0.002


def _completed(api: RunningApi, spend: int, at: datetime) -> SyncCompleted:
    fact = CampaignFact(
        campaign_id=uuid.uuid4(),
        external_id="fresh",
        name="Fresh",
        status="active",
        currency="USD",
        last_30_days=MetricTotals(spend=Decimal(spend), impressions=100),
    )
    return SyncCompleted(
        org_id=api.org_id,
        run_id=uuid.uuid4(),
        integration_id=api.integration_id,
        platform="google",
        data_type="all",
        trigger="scheduled",
        attempt=1,
        occurred_at=at,
        started_at=at,
        finished_at=at,
        duration_ms=1,
        campaigns=[fact],
    )


async def _visible(client: httpx.AsyncClient, api: RunningApi, spend: int) -> None:
    while True:
        view = (await client.get(api.dashboard_url, headers=api.headers)).json()
        if view["overview"]["advertising"]["total_spend"] == spend:
            return
        await asyncio.sleep(POLL_SECONDS)


async def run(scale: float = 1.0) -> list[BenchResult]:
    count = max(20, int(300 * scale))
    async with running_api() as api:
        broker = build_broker(api.settings, TracerProvider())
        topology = Topology(api.settings.namespace)
        await broker.connect()
        latencies: list[float] = []
        try:
            async with httpx.AsyncClient() as client:
                start = datetime.now(UTC)
                for n in range(1, count + 1):
                    event = _completed(api, n, start + timedelta(milliseconds=n))
                    published = time.perf_counter()
                    await broker.publish(
                        event.to_json(),
                        exchange=topology.exchange,
                        routing_key=event.routing_key,
                        persist=True,
                        message_id=str(event.event_id),
                    )
                    await asyncio.wait_for(_visible(client, api, n), 10)
                    latencies.append((time.perf_counter() - published) * 1000)
        finally:
            await broker.stop()
    cuts = quantiles(latencies, n=100)
    return [
        BenchResult(
            f"event -> dashboard visible, p99 ({count} events)",
            cuts[98],
            "ms",
            "<= 250 ms",
            reference_label=f"p50 {cuts[49]:.1f} ms; seed design: 1 h + 15 min cache",
            higher_is_better=False,
            goal_met=cuts[98] <= 250,
        )
    ]


if __name__ == "__main__":
    print_results(asyncio.run(run()))
