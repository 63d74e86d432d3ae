"""The alert rules through Prometheus' own tool: syntax and templates (`promtool check rules`)
and every alert fired, and kept silent, by its series (`promtool test rules`)."""

from __future__ import annotations

import pytest

from tests.integration.deploy.tools import ROOT, run

pytestmark = pytest.mark.integration

PROMETHEUS = ROOT / "deploy" / "monitoring" / "prometheus"


def test_rules_pass_promtool_check() -> None:
    assert "SUCCESS" in run("promtool", "check", "rules", "cmis-alerts.yml", cwd=PROMETHEUS)


def test_rules_pass_their_promtool_unit_tests() -> None:
    output = run("promtool", "test", "rules", "tests/cmis-alerts.test.yml", cwd=PROMETHEUS)
    assert "SUCCESS" in output
