"""The worker's figures move with what happens: one sync counted per finished attempt, by
platform, data type and outcome (a redelivery of a finished attempt adds none), and one
refused token refresh counted by platform and error class."""

from __future__ import annotations

from datetime import timedelta

from prometheus_client import CollectorRegistry

from cmis_shared.events import DataType, ErrorClass
from cmis_sync_worker.adapters.metrics import PrometheusSyncMetrics
from tests.unit.sync_worker.test_handler import NOW, World, _campaign


def count(registry: CollectorRegistry, name: str, **labels: str) -> float:
    return registry.get_sample_value(name, labels) or 0.0


async def test_each_finished_attempt_is_counted_once_by_outcome() -> None:
    registry = CollectorRegistry()
    world = World(campaigns=[_campaign(1)])
    handler = world.handler(PrometheusSyncMetrics(registry))
    request = world.request(world.integration())
    await handler(request)
    await handler(request)  # redelivered: no second outcome, no second count

    success = {"platform": "google", "data_type": DataType.CAMPAIGNS.value, "outcome": "success"}
    assert count(registry, "cmis_syncs_total", **success) == 1
    assert count(registry, "cmis_syncs_total", **{**success, "outcome": "failed"}) == 0


async def test_a_failed_attempt_counts_as_failed() -> None:
    registry = CollectorRegistry()
    world = World(refuse_refresh=True)
    integration = world.integration(expires_at=NOW - timedelta(minutes=1))
    await world.handler(PrometheusSyncMetrics(registry))(world.request(integration))

    failed = {"platform": "google", "data_type": DataType.CAMPAIGNS.value, "outcome": "failed"}
    assert count(registry, "cmis_syncs_total", **failed) == 1


async def test_a_refused_refresh_is_counted_with_its_reason() -> None:
    registry = CollectorRegistry()
    world = World(refuse_refresh=True)
    integration = world.integration(expires_at=NOW - timedelta(minutes=1))
    await world.handler(PrometheusSyncMetrics(registry))(world.request(integration))

    labels = {"platform": "google", "reason": ErrorClass.AUTH_REVOKED.value}
    assert count(registry, "cmis_token_refresh_failures_total", **labels) == 1


async def test_a_successful_refresh_counts_no_failure() -> None:
    registry = CollectorRegistry()
    world = World(campaigns=[_campaign(1)])
    integration = world.integration(expires_at=NOW + timedelta(minutes=1))
    await world.handler(PrometheusSyncMetrics(registry))(world.request(integration))

    assert world.connector.calls[0] == "refresh"
    labels = {"platform": "google", "reason": ErrorClass.AUTH_REVOKED.value}
    assert count(registry, "cmis_token_refresh_failures_total", **labels) == 0
