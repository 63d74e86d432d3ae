"""The Grafana dashboard: valid JSON, the panels the SREs need, every PromQL expression on a
metric that the code or the rules define, a link from failed syncs to their traces, and the
same file provisioned in compose and shipped in the Kubernetes monitoring kustomization."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.unit.deploy.metric_names import known, metric_names

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]
GRAFANA = ROOT / "deploy" / "monitoring" / "grafana"
DASHBOARD: dict[str, Any] = json.loads((GRAFANA / "dashboards" / "cmis.json").read_text())
PANELS: list[dict[str, Any]] = DASHBOARD["panels"]
PROMQL = [
    (panel["title"], target["expr"])
    for panel in PANELS
    for target in panel.get("targets", [])
    if "expr" in target
]


def test_the_panels_the_sres_need_are_there() -> None:
    titles = " | ".join(panel["title"] for panel in PANELS).lower()
    for needed in (
        "syncs per platform and outcome",
        "p50 / p95",
        "queue depth",
        "lag",
        "outbox",
        "api request rate",
        "api latency",
        "traces",
    ):
        assert needed in titles, needed
    assert len({panel["id"] for panel in PANELS}) == len(PANELS)


@pytest.mark.parametrize(("title", "expr"), PROMQL, ids=[title for title, _ in PROMQL])
def test_every_expression_names_a_metric_that_exists(title: str, expr: str) -> None:
    names = metric_names(expr)
    assert names, expr
    assert names <= known(), f"{title}: unknown metrics {sorted(names - known())}"


def test_failed_syncs_link_to_their_traces() -> None:
    syncs = next(panel for panel in PANELS if panel["title"].startswith("Syncs per platform"))
    links = syncs["fieldConfig"]["defaults"]["links"]
    assert any("/search?service=sync-worker" in link["url"] for link in links)
    assert all(target["exemplar"] for target in syncs["targets"])
    traces = next(panel for panel in PANELS if "traces" in panel["title"].lower())
    assert traces["datasource"]["type"] == "jaeger"
    datasources = yaml.safe_load(
        (GRAFANA / "provisioning" / "datasources" / "cmis.yml").read_text()
    )
    prometheus = next(d for d in datasources["datasources"] if d["type"] == "prometheus")
    jaeger = next(d for d in datasources["datasources"] if d["type"] == "jaeger")
    destinations = prometheus["jsonData"]["exemplarTraceIdDestinations"]
    assert destinations[0]["datasourceUid"] == jaeger["uid"]


def test_compose_provisions_the_dashboard_and_the_rules() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    mounts = {
        volume.split(":")[0]: volume.split(":")[1]
        for service in ("grafana", "prometheus")
        for volume in compose["services"][service]["volumes"]
    }
    assert mounts["./deploy/monitoring/grafana/dashboards"] == "/var/lib/grafana/dashboards"
    assert mounts["./deploy/monitoring/grafana/provisioning"] == "/etc/grafana/provisioning"
    for source in mounts:
        assert (ROOT / source).exists(), source
    provider = yaml.safe_load((GRAFANA / "provisioning" / "dashboards" / "cmis.yml").read_text())
    assert provider["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"
    prometheus = yaml.safe_load((ROOT / "deploy" / "prometheus.yml").read_text())
    rules_mount = mounts["./deploy/monitoring/prometheus/cmis-alerts.yml"]
    assert prometheus["rule_files"] == [rules_mount]


def test_kubernetes_ships_the_same_dashboard() -> None:
    kustomization = yaml.safe_load(
        (ROOT / "deploy" / "monitoring" / "kustomization.yaml").read_text()
    )
    generator = kustomization["configMapGenerator"][0]
    assert generator["files"] == ["grafana/dashboards/cmis.json"]
    assert generator["options"]["labels"] == {"grafana_dashboard": "1"}
