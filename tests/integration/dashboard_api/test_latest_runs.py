"""The latest run of each sync lane is read through indexes, not through the history: with
many old runs, the plan touches ``sync_runs`` only by the lane indexes and sorts nothing."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, text

from cmis_dashboard_api import admin
from cmis_dashboard_api.adapters.latest_runs import LATEST_RUNS, latest_runs, latest_runs_params
from cmis_shared.crypto import TokenCipher
from cmis_shared.db.engine import create_engine, create_session_factory
from cmis_shared.db.models import Integration, SyncRun
from cmis_shared.settings import CmisSettings
from cmis_shared.statuses import RunStatus
from tests.integration.dashboard_api.conftest import dashboard_settings

pytestmark = pytest.mark.integration
START = datetime(2025, 1, 1, tzinfo=UTC)
OLD_RUNS_PER_LANE = 400


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _run(org_id: uuid.UUID, integration_id: uuid.UUID, data_type: str, n: int) -> dict[str, Any]:
    at = START + timedelta(hours=n)
    return {
        "org_id": org_id,
        "integration_id": integration_id,
        "platform": "google",
        "data_type": data_type,
        "trigger": "scheduled",
        "correlation_id": uuid.uuid4(),
        "status": RunStatus.SUCCESS if n % 3 else RunStatus.FAILED,
        "attempt": 1,
        "requested_at": at,
        "started_at": at,
        "finished_at": at + timedelta(minutes=1),
    }


async def test_latest_runs_are_index_probes_not_a_history_scan(settings: CmisSettings) -> None:
    dash = dashboard_settings(settings)
    engine = create_engine(dash)
    cipher = TokenCipher(dash.encryption_keys)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            org = await admin.create_organization(session, "History", "UTC")
            ids = []
            for n in range(3):
                row = Integration(
                    org_id=org.id, platform="google", account_id=f"a{n}", account_name=f"A{n}",
                    credentials_encrypted=cipher.encrypt({"access_token": "t"}),
                )  # fmt: skip
                session.add(row)
                await session.flush()
                ids.append(row.id)
            lanes = [(iid, data_type) for iid in ids[:2] for data_type in ("all", "posts")]
            rows = [
                _run(org.id, iid, data_type, n)
                for iid, data_type in lanes
                for n in range(OLD_RUNS_PER_LANE)
            ]
            await session.execute(insert(SyncRun), rows)
        async with engine.connect() as connection:
            await connection.execute(text("ANALYZE sync_runs"))
        async with create_session_factory(engine)() as session:
            found = await latest_runs(session, org.id)
            explain = text(f"EXPLAIN (FORMAT JSON) {LATEST_RUNS.text}")
            [[plan]] = (await session.execute(explain, latest_runs_params(org.id))).all()
    finally:
        await engine.dispose()

    newest = START + timedelta(hours=OLD_RUNS_PER_LANE - 1)
    assert [(row["integration_id"], row["data_type"]) for row in found] == sorted(lanes)
    assert all(row["requested_at"] == newest for row in found)
    # The newest run (n = 399) failed; the last success is the run before it.
    assert all(row["status"] == RunStatus.FAILED for row in found)
    assert {row["last_success_at"] for row in found} == {newest - timedelta(minutes=59)}

    nodes = list(_nodes(plan[0]["Plan"]))
    on_runs = [node for node in nodes if node.get("Relation Name") == "sync_runs"]
    assert {node["Index Name"] for node in on_runs} == {
        "ix_sync_runs_lane_requested_at",
        "ix_sync_runs_lane_status_finished_at",
    }
    assert all(node["Node Type"] in ("Index Scan", "Index Only Scan") for node in on_runs)
    # Each index scan is read under its LIMIT 1: a probe per lane, no sort of the history
    # (the one Sort left orders the few result rows, one per lane).
    probes = [
        child
        for node in nodes
        if node["Node Type"] == "Limit"
        for child in node["Plans"]
        if child.get("Relation Name") == "sync_runs"
    ]
    assert len(probes) == len(on_runs) == 2
    assert all(node.get("Relation Name") != "sync_runs" for node in _sorted_inputs(nodes))


def _sorted_inputs(nodes: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for node in nodes:
        if node["Node Type"] == "Sort":
            yield from node["Plans"]
