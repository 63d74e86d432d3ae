"""Every overlay of deploy/k8s renders with `kubectl kustomize` and validates against the
pinned Kubernetes version's schemas and the operators' CRD schemas; and the rendered objects
keep the promises of the README's deploy section (probes, resources, autoscaling on the
right queue, no committed secret, default-deny networking)."""

from __future__ import annotations

import shutil
from typing import Any

import pytest
import yaml

from cmis_alerting.settings import AlertingSettings
from cmis_dashboard_api.settings import DashboardSettings
from cmis_notifier.settings import NotifierSettings
from cmis_scheduler.settings import SchedulerSettings
from cmis_shared.settings import CmisSettings
from cmis_shared.topology import Topology
from cmis_sync_worker.settings import SyncWorkerSettings
from tests.integration.deploy.k8s_schemas import validate
from tests.integration.deploy.tools import ROOT, run
from tests.unit.deploy.settings_fields import field_exists

pytestmark = pytest.mark.integration

OVERLAYS = ("dev", "production")
SERVICES: dict[str, type[CmisSettings]] = {
    "cmis-scheduler": SchedulerSettings,
    "cmis-sync-worker": SyncWorkerSettings,
    "cmis-alerting": AlertingSettings,
    "cmis-notifier": NotifierSettings,
    "cmis-dashboard-api": DashboardSettings,
    "cmis-migrate": CmisSettings,
}
# README benchmarks: idle RSS of the services is 87-114 MB.
IDLE_RSS_MIB = 115


@pytest.fixture(scope="module", params=OVERLAYS)
def rendered(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The overlay rendered from a copy of deploy/, with the git-ignored secret files made
    from their committed examples (empty values)."""
    overlay: str = request.param
    deploy = tmp_path_factory.mktemp(overlay) / "deploy"
    shutil.copytree(ROOT / "deploy", deploy)
    overlays = deploy / "k8s" / "overlays"
    for example in ("secrets.env", "platform-credentials.env"):
        shutil.copy(overlays / f"{example}.example", overlays / overlay / example)
    output = run("kubectl", "kustomize", str(overlays / overlay))
    return overlay, [doc for doc in yaml.safe_load_all(output) if doc]


def _of_kind(resources: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {r["metadata"]["name"]: r for r in resources if r["kind"] == kind}


def _container(workload: dict[str, Any]) -> dict[str, Any]:
    containers: list[dict[str, Any]] = workload["spec"]["template"]["spec"]["containers"]
    return containers[0]


def _mebibytes(quantity: str) -> float:
    units = {"Mi": 1, "Gi": 1024}
    return float(quantity[:-2]) * units[quantity[-2:]]


def test_every_resource_validates(rendered: Any) -> None:
    _, resources = rendered
    assert len(resources) > 25
    for resource in resources:
        validate(resource)


def test_a_typo_in_a_custom_resource_fails_validation() -> None:
    typo = {
        "apiVersion": "rabbitmq.com/v1beta1",
        "kind": "RabbitmqCluster",
        "metadata": {"name": "x"},
        "spec": {"replica": 3},
    }
    with pytest.raises(Exception, match="replica"):
        validate(typo)


def test_each_service_has_probes_resources_and_a_disruption_budget(rendered: Any) -> None:
    overlay, resources = rendered
    deployments = _of_kind(resources, "Deployment")
    budgets = _of_kind(resources, "PodDisruptionBudget")
    for name in (
        "cmis-scheduler",
        "cmis-sync-worker",
        "cmis-alerting",
        "cmis-notifier",
        "cmis-dashboard-api",
    ):
        container = _container(deployments[name])
        port = "http" if name == "cmis-dashboard-api" else "metrics"
        assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": port}
        assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "metrics"}
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        assert ports["metrics"] == 9100
        if name == "cmis-dashboard-api":
            assert ports["http"] == 8000
        resources_ = container["resources"]
        assert _mebibytes(resources_["requests"]["memory"]) > IDLE_RSS_MIB
        assert _mebibytes(resources_["limits"]["memory"]) >= 3 * IDLE_RSS_MIB
        assert resources_["requests"]["cpu"] and resources_["limits"]["cpu"]
        assert budgets[name]["spec"]["selector"]["matchLabels"] == {"app.kubernetes.io/name": name}
        replicas = deployments[name]["spec"]["replicas"]
        assert replicas == 1 if overlay == "dev" else replicas >= 2


def test_the_web_dashboard_is_served_probed_and_reached_only_from_the_ingress(
    rendered: Any,
) -> None:
    overlay, resources = rendered
    deployment = _of_kind(resources, "Deployment")["cmis-web"]
    container = _container(deployment)
    assert {p["name"]: p["containerPort"] for p in container["ports"]} == {"http": 8080}
    for probe in ("livenessProbe", "readinessProbe"):
        assert container[probe]["httpGet"] == {"path": "/healthz", "port": "http"}
    # Idle RSS of scripts/web_server.py is ~36 MB.
    assert _mebibytes(container["resources"]["requests"]["memory"]) > 36
    assert _mebibytes(container["resources"]["limits"]["memory"]) >= 3 * 36
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert labels["cmis.io/tier"] != "service"  # no servers, no secrets
    assert "env" not in container  # nothing from the services' connection patch
    replicas = deployment["spec"]["replicas"]
    assert replicas == 1 if overlay == "dev" else replicas >= 2
    budget = _of_kind(resources, "PodDisruptionBudget")["cmis-web"]
    assert budget["spec"]["selector"]["matchLabels"] == {"app.kubernetes.io/name": "cmis-web"}
    service = _of_kind(resources, "Service")["cmis-web"]
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    policy = _of_kind(resources, "NetworkPolicy")["web-from-ingress"]["spec"]
    assert policy["podSelector"]["matchLabels"] == {"app.kubernetes.io/name": "cmis-web"}
    assert policy["ingress"][0]["ports"] == [{"protocol": "TCP", "port": 8080}]
    (source,) = container["envFrom"]
    config_maps = _of_kind(resources, "ConfigMap")
    config = config_maps[source["configMapRef"]["name"]]["data"]
    assert config["CMIS_WEB_PORT"] == "8080" and config["CMIS_WEB_HOST"] == "0.0.0.0"
    # The API allows the web's origin; in dev both are reached through port-forwards.
    api = _container(_of_kind(resources, "Deployment")["cmis-dashboard-api"])
    cors = {v["name"]: v.get("value") for v in api["env"]}["CMIS_CORS_ORIGINS"]
    if overlay == "dev":
        assert (config["CMIS_WEB_API_URL"], cors) == (
            "http://localhost:8000",
            "http://localhost:8080",
        )
    else:
        assert config["CMIS_WEB_API_URL"].startswith("https://") and cors.startswith("https://")


def test_migrations_job_runs_alembic_head(rendered: Any) -> None:
    _, resources = rendered
    job = _of_kind(resources, "Job")["cmis-migrate"]
    assert _container(job)["command"] == ["cmis-migrate", "upgrade", "head"]


def test_every_cmis_variable_is_one_the_service_reads(rendered: Any) -> None:
    _, resources = rendered
    config_maps = {
        name.rsplit("-", 1)[0]: cm for name, cm in _of_kind(resources, "ConfigMap").items()
    }
    secrets = _of_kind(resources, "Secret")
    workloads = {**_of_kind(resources, "Deployment"), **_of_kind(resources, "Job")}
    for name, settings_class in SERVICES.items():
        container = _container(workloads[name])
        names = {variable["name"] for variable in container["env"]}
        for source in container["envFrom"]:
            if "configMapRef" in source:
                names |= set(config_maps[source["configMapRef"]["name"].rsplit("-", 1)[0]]["data"])
            else:
                names |= set(secrets[source["secretRef"]["name"]]["data"])
        assert {"CMIS_DATABASE_URL", "CMIS_RABBIT_URL", "CMIS_ENCRYPTION_KEYS"} <= names
        for variable in sorted(v for v in names if v.startswith("CMIS_")):
            path = variable.removeprefix("CMIS_").lower().split("__")
            assert field_exists(settings_class, path), f"{name}: {variable} is read by nobody"


def test_no_secret_value_is_committed(rendered: Any) -> None:
    _, resources = rendered
    for secret in _of_kind(resources, "Secret").values():
        # Rendered from the examples: every value empty, so the real ones live only in the
        # git-ignored files.
        assert set(secret["data"].values()) == {""}, secret["metadata"]["name"]
    ignored = (ROOT / ".gitignore").read_text()
    assert "deploy/k8s/overlays/*/secrets.env" in ignored
    assert "deploy/k8s/overlays/*/platform-credentials.env" in ignored
    for path in (ROOT / "deploy").rglob("*.yaml"):
        assert "kind: Secret\n" not in path.read_text(), path
    for deployment in _of_kind(resources, "Deployment").values():
        for variable in _container(deployment).get("env", []):
            if "PASSWORD" in variable["name"]:
                assert "secretKeyRef" in variable["valueFrom"]


def test_sync_worker_scales_on_its_request_queue(rendered: Any) -> None:
    _, resources = rendered
    scaled = _of_kind(resources, "ScaledObject")["cmis-sync-worker"]
    assert scaled["spec"]["scaleTargetRef"]["name"] == "cmis-sync-worker"
    triggers = scaled["spec"]["triggers"]
    assert {t["type"] for t in triggers} == {"rabbitmq"}
    lanes = [queue.name for queue in Topology().queues("sync-worker")]
    assert [t["metadata"]["queueName"] for t in triggers] == lanes
    trigger = triggers[0]
    auth = _of_kind(resources, "TriggerAuthentication")[trigger["authenticationRef"]["name"]]
    assert auth["spec"]["secretTargetRef"][0]["name"] == "cmis-rabbitmq-default-user"
    hpa = _of_kind(resources, "HorizontalPodAutoscaler")["cmis-dashboard-api"]
    assert hpa["spec"]["scaleTargetRef"]["name"] == "cmis-dashboard-api"


def test_servers_come_from_their_operators(rendered: Any) -> None:
    overlay, resources = rendered
    rabbit = _of_kind(resources, "RabbitmqCluster")["cmis-rabbitmq"]
    postgres = _of_kind(resources, "Cluster")["cmis-postgres"]
    assert rabbit["spec"]["replicas"] == (1 if overlay == "dev" else 3)
    assert postgres["spec"]["instances"] == (1 if overlay == "dev" else 3)
    assert postgres["spec"]["bootstrap"]["initdb"]["database"] == "cmis"
    assert "cmis-redis" in _of_kind(resources, "Deployment")


def test_network_is_denied_by_default_and_opened_per_path(rendered: Any) -> None:
    _, resources = rendered
    policies = _of_kind(resources, "NetworkPolicy")
    deny = policies["default-deny"]["spec"]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    to_servers = policies["cmis-services-to-servers"]["spec"]["egress"]
    assert sorted(rule["ports"][0]["port"] for rule in to_servers) == [5432, 5672, 6379]
    platforms = policies["sync-worker-to-platforms"]["spec"]["egress"][0]
    assert platforms["ports"] == [{"protocol": "TCP", "port": 443}]
    ingress = policies["dashboard-api-from-ingress"]["spec"]["ingress"][0]
    assert ingress["ports"] == [{"protocol": "TCP", "port": 8000}]
    assert "allow-dns" in policies


def test_monitoring_ships_with_every_overlay(rendered: Any) -> None:
    _, resources = rendered
    assert "cmis-alerts" in _of_kind(resources, "PrometheusRule")
    assert "cmis-services" in _of_kind(resources, "PodMonitor")
    dashboard = _of_kind(resources, "ConfigMap")["cmis-grafana-dashboard"]
    assert dashboard["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert (
        dashboard["data"]["cmis.json"]
        == (ROOT / "deploy" / "monitoring" / "grafana" / "dashboards" / "cmis.json").read_text()
    )
