"""`docker compose up` cannot run here (no Docker engine), so keep it honest by checking what
can be checked: the file parses, every service is built from files that exist, runs a command
that exists, and gets only environment variables that its settings really read."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from cmis_alerting.settings import AlertingSettings
from cmis_dashboard_api.settings import DashboardSettings
from cmis_notifier.settings import NotifierSettings
from cmis_platform_sim.settings import parse_settings
from cmis_scheduler.settings import SchedulerSettings
from cmis_shared.settings import CmisSettings, load_settings
from cmis_sync_worker.settings import SyncWorkerSettings
from tests.unit.deploy.settings_fields import field_exists

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
SETTINGS: dict[str, type[CmisSettings]] = {
    "scheduler": SchedulerSettings,
    "sync-worker": SyncWorkerSettings,
    "alerting": AlertingSettings,
    "notifier": NotifierSettings,
    "dashboard-api": DashboardSettings,
    "migrate": CmisSettings,
    "demo-seed": CmisSettings,
}


def _env(service: str) -> dict[str, str]:
    return {key: str(value) for key, value in (SERVICES[service].get("environment") or {}).items()}


def test_infrastructure_has_health_checks() -> None:
    for name in ("postgres", "rabbitmq", "redis"):
        assert "healthcheck" in SERVICES[name], name
    for name in ("scheduler", "sync-worker", "alerting", "notifier", "dashboard-api"):
        needs = SERVICES[name]["depends_on"]
        assert needs["postgres"]["condition"] == "service_healthy"
        assert needs["migrate"]["condition"] == "service_completed_successfully"


@pytest.mark.parametrize("service", [s for s in SERVICES if "build" in SERVICES[s]])
def test_images_are_built_from_files_that_exist(service: str) -> None:
    build = SERVICES[service]["build"]
    dockerfile = ROOT / build["context"] / build["dockerfile"]
    assert dockerfile.is_file()
    text = dockerfile.read_text()
    for source in re.findall(r"^COPY (?!--from=)(\S+)", text, flags=re.MULTILINE):
        assert (ROOT / source).exists(), f"{dockerfile.name} copies missing {source}"
    if "target" in build:  # a named stage (the web image) instead of the services' last one
        assert re.search(rf"^FROM \S+ AS {build['target']}$", text, flags=re.MULTILINE)
        return
    for package in build["args"]["SERVICES"].split():
        assert (ROOT / "services" / package / "pyproject.toml").is_file(), package


@pytest.mark.parametrize(
    "service", ["scheduler", "sync-worker", "alerting", "notifier", "dashboard-api"]
)
def test_each_service_runs_its_own_console_script(service: str) -> None:
    project = tomllib.loads((ROOT / "services" / service / "pyproject.toml").read_text())
    assert f"cmis-{service}" in project["project"]["scripts"]
    assert SERVICES[service]["build"]["args"]["SERVICES"] == service  # CMD runs cmis-$SERVICES


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_every_variable_is_one_the_service_reads(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings_class = SETTINGS[service]
    env = _env(service)
    for name in env:
        assert name.startswith("CMIS_"), name
        path = name.removeprefix("CMIS_").lower().split("__")
        assert field_exists(settings_class, path), f"{service}: {name} is read by nobody"
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = load_settings(settings_class)
    assert settings.database_url == env["CMIS_DATABASE_URL"]
    assert settings.rabbit_url == env["CMIS_RABBIT_URL"]


def test_simulator_and_seed_commands_parse() -> None:
    simulator = parse_settings(SERVICES["platform-sim"]["command"][1:])
    assert simulator.port == 8900
    assert simulator.faults, "the demo's failing integration needs its fault"
    seed = SERVICES["demo-seed"]["command"]
    assert seed[:3] == ["python", "-m", "scripts.demo"]
    assert (ROOT / "scripts" / "demo.py").is_file()


def test_prometheus_scrapes_every_service_on_its_metrics_port() -> None:
    config: dict[str, Any] = yaml.safe_load((ROOT / "deploy" / "prometheus.yml").read_text())
    targets = {
        target
        for job in config["scrape_configs"]
        for static in job["static_configs"]
        for target in static["targets"]
    }
    port = COMPOSE["x-cmis-env"]["CMIS_METRICS_PORT"]
    for service in ("scheduler", "sync-worker", "alerting", "notifier", "dashboard-api"):
        assert f"{service}:{port}" in targets


def test_the_web_dashboard_is_served_and_allowed_by_the_api() -> None:
    web = SERVICES["web"]
    assert web["build"]["target"] == "web"
    port = web["ports"][0].split(":")[0]
    assert "/healthz" in " ".join(web["healthcheck"]["test"])
    assert _env("dashboard-api")["CMIS_CORS_ORIGINS"] == f"http://localhost:{port}"
    assert web["environment"]["CMIS_WEB_API_URL"] == "http://localhost:8000"
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    # The services' image stays the default (last) target.
    assert dockerfile.index("AS web\n") < dockerfile.index("AS service\n")
