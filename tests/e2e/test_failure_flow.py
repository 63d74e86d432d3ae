"""A failing integration: its retries, its final failure and the alert; then it recovers and
the alert resolves. Everything observed through the API, as a frontend would."""

from __future__ import annotations

from typing import Any

import pytest

from cmis_shared.events import Platform
from tests.e2e.conftest import System, Tenant
from tests.e2e.helpers import connect, dashboard, integration_status, trigger
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e


def _run(status: dict[str, Any], run_id: str) -> dict[str, Any] | None:
    return next((run for run in status["recent_runs"] if run["run_id"] == run_id), None)


def _sync_failure_alerts(view: dict[str, Any], integration_id: str) -> list[dict[str, Any]]:
    return [
        alert
        for alert in view["alerts"]
        if alert["type"] == "sync_failure" and alert["subject_id"] == integration_id
    ]


async def test_retries_final_failure_alert_then_recovery_resolves_it(
    system: System, tenant: Tenant
) -> None:
    integration = await connect(system, tenant, Platform.TIKTOK, index=1)
    integration_id = integration["id"]
    system.sim.add_fault(kind="server_error", platform="tiktok", account=integration["account_id"])
    try:
        run_id = await trigger(tenant, integration_id, "campaigns")

        async def finally_failed() -> bool:
            run = _run(await integration_status(tenant, integration_id), run_id)
            return run is not None and run["status"] == "failed" and run["attempt"] == 3

        await eventually(finally_failed, within=60)
        run = _run(await integration_status(tenant, integration_id), run_id)
        assert run is not None
        assert [attempt["attempt"] for attempt in run["attempts"]] == [1, 2, 3]
        assert {attempt["error_class"] for attempt in run["attempts"]} == {"platform_error"}
        assert [attempt["retryable"] for attempt in run["attempts"]] == [True, True, True]

        async def alerted() -> bool:
            return bool(_sync_failure_alerts(await dashboard(tenant), integration_id))

        await eventually(alerted, within=60)
        alert = _sync_failure_alerts(await dashboard(tenant), integration_id)[0]
        assert alert["severity"] == "critical"
    finally:
        system.sim.clear_faults()

    recovery = await trigger(tenant, integration_id, "campaigns")

    async def recovered() -> bool:
        run = _run(await integration_status(tenant, integration_id), recovery)
        return run is not None and run["status"] == "success"

    await eventually(recovered, within=60)

    async def resolved() -> bool:
        return not _sync_failure_alerts(await dashboard(tenant), integration_id)

    await eventually(resolved, within=60)
