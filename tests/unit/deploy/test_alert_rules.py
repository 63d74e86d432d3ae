"""The alert rules' one source and what hangs off it: the operator's PrometheusRule equals the
plain rules file, every alert has a runbook and a promtool test that fires it and one that
keeps it silent, and every expression names a metric that exists (or is on the pending list).
promtool itself runs in tests/integration/deploy/test_promtool.py."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.unit.deploy.metric_names import known, metric_names

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]
MONITORING = ROOT / "deploy" / "monitoring"
RULES: dict[str, Any] = yaml.safe_load((MONITORING / "prometheus" / "cmis-alerts.yml").read_text())
ALERTS = [rule for group in RULES["groups"] for rule in group["rules"] if "alert" in rule]
PROMTOOL_TESTS: dict[str, Any] = yaml.safe_load(
    (MONITORING / "prometheus" / "tests" / "cmis-alerts.test.yml").read_text()
)
EXPECTED_ALERTS = {
    "CmisOutboxStale",
    "CmisDeadLetters",
    "CmisConsumerLagHigh",
    "CmisTaskRestarting",
    "CmisSyncFailureRateHigh",
    "CmisStaleIntegrations",
    "CmisTokenRefreshFailures",
}


def _renderer() -> Any:
    spec = importlib.util.spec_from_file_location(
        "render_prometheusrule", MONITORING / "render_prometheusrule.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_prometheus_rule_is_generated_from_the_rules_file() -> None:
    renderer = _renderer()
    committed = (MONITORING / "prometheusrule.yaml").read_text()
    assert committed == renderer.render(RULES), (
        "deploy/monitoring/prometheusrule.yaml is stale: "
        "run `python deploy/monitoring/render_prometheusrule.py`"
    )


def test_every_alert_the_sres_need_is_there() -> None:
    assert {rule["alert"] for rule in ALERTS} == EXPECTED_ALERTS


@pytest.mark.parametrize("rule", ALERTS, ids=lambda rule: rule["alert"])
def test_each_alert_links_its_runbook(rule: dict[str, Any]) -> None:
    link = rule["annotations"]["runbook_url"]
    assert link == f"docs/runbooks/{rule['alert']}.md"
    runbook = (ROOT / link).read_text()
    for section in ("## What it means", "## How to confirm", "## What to do"):
        assert section in runbook, f"{link} lacks {section}"
    assert rule["labels"]["severity"] in {"warning", "critical"}
    assert rule["annotations"]["summary"] and rule["annotations"]["description"]


@pytest.mark.parametrize("rule", ALERTS, ids=lambda rule: rule["alert"])
def test_each_alert_is_fired_and_kept_silent_by_a_promtool_test(rule: dict[str, Any]) -> None:
    checks = [
        check
        for case in PROMTOOL_TESTS["tests"]
        for check in case.get("alert_rule_test", [])
        if check["alertname"] == rule["alert"]
    ]
    assert any(check["exp_alerts"] for check in checks), f"nothing fires {rule['alert']}"
    assert any(not check["exp_alerts"] for check in checks), f"no silent case: {rule['alert']}"


@pytest.mark.parametrize("rule", ALERTS, ids=lambda rule: rule["alert"])
def test_each_alert_names_metrics_that_exist(rule: dict[str, Any]) -> None:
    names = metric_names(rule["expr"])
    assert names, rule["expr"]
    assert names <= known(), f"unknown metrics: {sorted(names - known())}"


def test_metric_names_are_read_from_promql() -> None:
    expr = (
        'histogram_quantile(0.95, sum by (service, le) (rate(a_bucket{x="y"}[5m]))) > 60 '
        "and on (service) b_total offset 5m / ignoring (z) c"
    )
    assert metric_names(expr) == {"a_bucket", "b_total", "c"}
