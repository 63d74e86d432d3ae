"""A forged account id fails the sync as a configuration error and never reaches the
platform's host (the simulator's access log shows what arrived on the wire)."""

from __future__ import annotations

import httpx
import pytest

from cmis_shared.events import DataType, ErrorClass, Platform, SyncFailed
from cmis_sync_worker.bootstrap import SyncWorker
from tests.integration.sync_worker.world import EventCollector, queue_run, seed_integration
from tests.support.platform_sim import PlatformSim
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

FORGED = "123/../../admin?x=1"


def access_log(sim: PlatformSim) -> list[str]:
    reply = httpx.get(f"{sim.base_url}/_admin/access-log", timeout=5)
    reply.raise_for_status()
    return list(reply.json()["requests"])


@pytest.mark.parametrize("platform", [Platform.META, Platform.LINKEDIN, Platform.TWITTER])
async def test_forged_account_id_fails_as_config_error_and_never_reaches_the_platform(
    worker: SyncWorker, collector: EventCollector, platform_sim: PlatformSim, platform: Platform
) -> None:
    integration = await seed_integration(
        worker.runtime.sessions, worker.settings, platform, FORGED, currency="USD",
        timezone="UTC",
    )  # fmt: skip
    request = await queue_run(worker.runtime.sessions, integration, DataType.ALL)
    await collector.publish(request)
    await eventually(lambda: collector.outcome(request.run_id) is not None, within=60)

    outcome = collector.outcome(request.run_id)
    assert isinstance(outcome, SyncFailed)
    assert outcome.error_class is ErrorClass.CONFIG_ERROR
    assert not outcome.will_retry
    for line in access_log(platform_sim):
        assert "admin" not in line and "/../" not in line and "x=1" not in line, line
