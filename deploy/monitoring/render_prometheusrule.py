"""Write prometheusrule.yaml (for the Prometheus Operator) from prometheus/cmis-alerts.yml,
the one source of the alert rules: `python deploy/monitoring/render_prometheusrule.py`.
tests/unit/deploy/test_alert_rules.py fails when the two differ."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
RULES = HERE / "prometheus" / "cmis-alerts.yml"
TARGET = HERE / "prometheusrule.yaml"
HEADER = (
    "# Generated from prometheus/cmis-alerts.yml by render_prometheusrule.py: edit that file.\n"
)


def render(rules: dict[str, Any]) -> str:
    resource = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {
            "name": "cmis-alerts",
            "labels": {"app.kubernetes.io/part-of": "cmis", "role": "alert-rules"},
        },
        "spec": {"groups": rules["groups"]},
    }
    return HEADER + yaml.safe_dump(resource, sort_keys=False, width=100)


if __name__ == "__main__":
    TARGET.write_text(render(yaml.safe_load(RULES.read_text())))
