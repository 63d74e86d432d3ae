"""Schemathesis over the OpenAPI document, as an outside fuzzer sees the API: its CLI against
the app served over HTTP (lifespan running on the real servers), every check and every phase
(examples, coverage, fuzzing, and stateful sequences along the document's links), with the
seed fixed. Zero failures of any kind: no server error, every status, header, content type
and body as documented, and no input the document allows refused or one it forbids taken."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
import uvicorn
from asgi_lifespan import LifespanManager
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cmis_dashboard_api import admin
from cmis_dashboard_api.app import create_app
from cmis_shared.crypto import TokenCipher
from cmis_shared.db.engine import create_engine, create_session_factory
from cmis_shared.db.models import Alert, Campaign, DailyMetric
from cmis_shared.settings import CmisSettings
from cmis_shared.topology import Topology
from cmis_shared.uow import UnitOfWork
from tests.conftest import RUN_ID, remove_broker_objects, remove_redis_keys
from tests.integration.dashboard_api.conftest import dashboard_settings
from tests.support.ports import free_port
from tests.support.servers import ServerUrls
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
PHASES = "examples,coverage,fuzzing,stateful"
EXAMPLES_PER_OPERATION = 10
SEED = 7
# Every operation works in the fuzz organization (others' ids answer 404 by design, which the auth
# matrix covers); the event stream never ends and logout would revoke the fuzzing token, so both
# are left out. Some rules no JSON schema can state answer 422 to requests the schema allows: a
# cursor must be one the API issued, a date range at most 366 days with `from` <= `to`, a snooze
# end in the next 90 days, an OAuth return URL on the deployment's allow-list, quiet hours that
# start and end at different times, a backfill range in order, not in the future and within the
# platforms' horizon (37 months for Google and Meta), gaps with `since` <= `until`. Those
# operations
# may answer 422 to schema-valid input; the OAuth callback 400 to a state the API did not issue
# (it is signed and single-use). Every other check holds.
SEMANTIC_PATHS = (
    "/(campaigns(/[^/]+)?|posts|alerts(/[^/]+/(history|snooze))?|metrics/timeseries"
    "|integrations/oauth/[^/]+/start|notification-channels(/[^/]+)?|backfills|sync/gaps)$"
)
CONFIG = """
[parameters]
"path.org_id" = "{org_id}"

[[operations]]
include-path-regex = "/events$|/auth/logout$"
enabled = false

[[operations]]
include-path-regex = '{semantic_paths}'
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", 401, 403, 404, 409, 422, 429]

[[operations]]
include-path-regex = "/oauth/[^/]+/callback$"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", 400, 429]
"""


@dataclass
class Target:
    base_url: str
    org_id: uuid.UUID
    token: str


async def _seed_platform_data(
    sessions: async_sessionmaker[AsyncSession], org_id: uuid.UUID, cipher: TokenCipher
) -> None:
    """A campaign with metrics and an open alert (written by sync-worker and alerting in
    production), so the links from the lists lead the stateful phase to real ids."""
    async with UnitOfWork(sessions) as uow:
        integration = await admin.connect_integration(
            uow, org_id, "google", "fuzz", "Fuzz Ads", {"access_token": "secret"},
            currency="USD", cipher=cipher,
        )  # fmt: skip
        await uow.commit()
    now = datetime.now(UTC)
    async with sessions() as session, session.begin():
        session.add(
            Campaign(
                org_id=org_id, integration_id=integration.id, platform="google",
                external_id="c1", name="Fuzz campaign", status="active", currency="USD",
                budget_amount=Decimal(100), budget_period="daily",
            )
        )  # fmt: skip
        session.add(
            DailyMetric(
                integration_id=integration.id, campaign_external_id="c1", day=now.date(),
                org_id=org_id, currency="USD", impressions=100, clicks=3, spend=Decimal(7),
                conversions=Decimal(1), conversion_value=Decimal(9),
            )
        )  # fmt: skip
        session.add(
            Alert(
                org_id=org_id, alert_type="budget", subject_type="campaign",
                subject_id=uuid.uuid4(), severity="warning", status="open", message="90%",
                first_seen_at=now, last_seen_at=now,
            )
        )  # fmt: skip


@pytest.fixture(scope="module")
async def target(servers: ServerUrls, module_database_url: str) -> AsyncIterator[Target]:
    namespace = f"test-{RUN_ID}-{uuid.uuid4().hex[:6]}."
    base = CmisSettings(
        environment="test",
        database_url=module_database_url,
        rabbit_url=servers.rabbit,
        redis_url=servers.redis,
        namespace=namespace,
    )
    unlimited = 1_000_000
    dash = dashboard_settings(
        base,
        trigger_rate_limit=unlimited,
        refresh_rate_limit=unlimited,
        statistics_rate_limit=unlimited,
        failed_auth_limit=unlimited,
    )
    engine = create_engine(dash)
    try:
        sessions = create_session_factory(engine)
        async with sessions() as session, session.begin():
            org = await admin.create_organization(session, "Fuzz", "UTC")
            email = f"{uuid.uuid4().hex}@fuzz.test"
            _, token = await admin.create_user(session, email, [org.id], role="admin")
        await _seed_platform_data(sessions, org.id, TokenCipher(dash.encryption_keys))
    finally:
        await engine.dispose()
    app = create_app(dash)
    port = free_port()
    config = uvicorn.Config(app, port=port, lifespan="off", log_config=None, access_log=False)
    server = uvicorn.Server(config)
    async with LifespanManager(app, startup_timeout=30, shutdown_timeout=30):
        task = asyncio.create_task(server.serve())
        await eventually(lambda: server.started)
        yield Target(f"http://127.0.0.1:{port}", org.id, token)
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 10)
    await remove_broker_objects(servers.rabbit, Topology(namespace))
    await remove_redis_keys(servers.redis, namespace)


@pytest.mark.timeout(900)  # several minutes on a loaded machine: see the README's figure
async def test_every_check_and_phase_finds_nothing(target: Target, tmp_path: Path) -> None:
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG.format(org_id=target.org_id, semantic_paths=SEMANTIC_PATHS))
    # The schema is read here with a generous limit, then given as a file: Schemathesis loads
    # a schema URL with a fixed 10 s timeout that its options do not reach, which a loaded
    # machine exceeded while the app rendered the schema for the first time.
    async with httpx.AsyncClient(timeout=120) as client:
        response = await client.get(f"{target.base_url}/openapi.json")
    assert response.status_code == 200, response.text
    schema = tmp_path / "openapi.json"
    schema.write_bytes(response.content)
    process = await asyncio.create_subprocess_exec(
        str(SCHEMATHESIS),
        "--config-file", str(config),
        "run", str(schema),
        "--url", target.base_url,
        "--checks", "all",
        "--phases", PHASES,
        "--max-examples", str(EXAMPLES_PER_OPERATION),
        "--seed", str(SEED),
        "--request-timeout", "30",
        "--header", f"Authorization: Bearer {target.token}",
        "--report", "junit", "--report-dir", str(tmp_path),
        "--output-truncate", "false",
        "--no-color",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        cwd=tmp_path,  # its cache (.schemathesis/) stays out of the repository
    )  # fmt: skip
    output, _ = await process.communicate()
    text = output.decode(errors="replace")
    assert process.returncode == 0, text[-20_000:]
    assert "Stateful" in text or "stateful" in text, text[-3000:]
