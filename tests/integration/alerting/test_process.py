"""``cmis-alerting`` as a real process: configured from the environment, it alerts on an
event and on its timer, and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from faststream.rabbit import RabbitBroker

from cmis_shared.db.engine import create_engine, create_session_factory
from cmis_shared.events import AlertRaised, SyncFailed
from cmis_shared.settings import CmisSettings
from cmis_shared.topology import Topology
from tests.integration.alerting.harness import capture_alerts
from tests.integration.alerting.seed import add_integration, add_org

pytestmark = pytest.mark.integration

SCRIPT = Path(sys.executable).parent / "cmis-alerting"


def _environment(settings: CmisSettings) -> dict[str, str]:
    return os.environ | {
        "CMIS_ENVIRONMENT": "test",
        "CMIS_DATABASE_URL": settings.database_url,
        "CMIS_RABBIT_URL": settings.rabbit_url,
        "CMIS_REDIS_URL": settings.redis_url,
        "CMIS_NAMESPACE": settings.namespace,
        "CMIS_OUTBOX_POLL_SECONDS": "0.2",
        "CMIS_TOKEN_CHECK_INTERVAL_SECONDS": "1",
    }


async def _publish(settings: CmisSettings, event: SyncFailed) -> None:
    """As another service would: declare the topology (idempotent) and publish."""
    topology = Topology(settings.namespace)
    broker = RabbitBroker(settings.rabbit_url)
    await broker.connect()
    try:
        await topology.declare(broker)
        await broker.publish(
            event.to_json(), exchange=topology.exchange, routing_key=event.routing_key,
            persist=True, message_id=str(event.event_id),
        )  # fmt: skip
    finally:
        await broker.stop()


async def test_process_alerts_on_events_and_timer_and_stops_on_sigterm(
    settings: CmisSettings,
) -> None:
    engine = create_engine(settings)
    sessions = create_session_factory(engine)
    org = await add_org(sessions)
    expiring = await add_integration(sessions, org, datetime.now(UTC) + timedelta(hours=3))
    failing = await add_integration(sessions, org, None, platform="meta")
    await engine.dispose()
    failure = SyncFailed(
        org_id=org, run_id=uuid.uuid4(), integration_id=failing, platform="meta",
        data_type="posts", trigger="scheduled", attempt=3, error_class="auth_revoked",
        message="user revoked access", retryable=False, will_retry=False,
    )  # fmt: skip
    await _publish(settings, failure)  # waits in the service's queue until it starts

    exchange = Topology(settings.namespace).exchange.name
    with tempfile.TemporaryFile() as log:
        async with capture_alerts(settings, exchange, {org}) as capture:
            process = await asyncio.create_subprocess_exec(
                str(SCRIPT), env=_environment(settings), stdout=log, stderr=log
            )
            try:
                events = await capture.wait_for(2)
                assert process.returncode is None  # still serving until told to stop
            finally:
                process.send_signal(signal.SIGTERM)
                code = await asyncio.wait_for(process.wait(), 30)
                log.seek(0)
                output = log.read().decode(errors="replace")
        assert code == 0, output

    assert all(isinstance(e, AlertRaised) for e in events)
    assert {(e.alert_type, e.subject_id, e.severity) for e in events} == {
        ("sync_failure", failing, "critical"), ("token_expiry", expiring, "critical"),
    }  # fmt: skip
    assert "alert changed" in output  # structured logs on stderr
