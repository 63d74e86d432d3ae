"""Schemathesis over the OpenAPI document, in-process (ASGI, the app's lifespan running on
the real servers): no input produces a server error or a response that breaks the schema."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from cmis_dashboard_api import admin
from cmis_dashboard_api.app import create_app
from cmis_shared.db.engine import create_engine, create_session_factory
from cmis_shared.settings import CmisSettings
from cmis_shared.topology import Topology
from tests.conftest import RUN_ID, remove_broker_objects, remove_redis_keys
from tests.integration.dashboard_api.conftest import dashboard_settings
from tests.support.servers import ServerUrls

pytestmark = pytest.mark.integration
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@dataclass
class Target:
    app: FastAPI
    org_id: uuid.UUID
    token: str


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
        async with create_session_factory(engine)() as session, session.begin():
            org = await admin.create_organization(session, "Fuzz", "UTC")
            email = f"{uuid.uuid4().hex}@fuzz.test"
            _, token = await admin.create_user(session, email, [org.id], role="admin")
    finally:
        await engine.dispose()
    yield Target(create_app(dash), org.id, token)
    asgi.shutdown_lifespans()
    await remove_broker_objects(servers.rabbit, Topology(namespace))
    await remove_redis_keys(servers.redis, namespace)


def test_no_input_breaks_the_api(target: Target) -> None:
    api = schemathesis.openapi.from_asgi("/openapi.json", target.app).exclude(
        path_regex="/events$|/auth/logout$"  # an endless stream; revokes the fuzzing token
    )
    headers = {"Authorization": f"Bearer {target.token}"}
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 20
    statuses: set[int] = set()
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def call(case: schemathesis.Case) -> None:
            if "org_id" in (case.path_parameters or {}):
                case.path_parameters["org_id"] = str(target.org_id)  # past the org check
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            statuses.add(response.status_code)

        call()
    assert {200, 201, 202, 422} <= statuses  # the fuzzing reached past validation, too
