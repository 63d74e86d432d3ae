"""Validation of rendered manifests: built-in kinds against the pinned Kubernetes version's
schemas shipped in `kubernetes-validate`, custom resources against the CRD schemas committed
in deploy/k8s/schemas (see SOURCES.md there). CRD schemas leave unknown fields open (the API
server prunes them silently), so objects with declared properties are closed here: a typo
fails, as kubectl's strict field validation would make it."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import kubernetes_validate

from tests.integration.deploy.tools import ROOT

KUBERNETES_VERSION = "1.32.0"
SCHEMAS = ROOT / "deploy" / "k8s" / "schemas"
CUSTOM_KINDS = {
    ("rabbitmq.com/v1beta1", "RabbitmqCluster"),
    ("postgresql.cnpg.io/v1", "Cluster"),
    ("keda.sh/v1alpha1", "ScaledObject"),
    ("keda.sh/v1alpha1", "TriggerAuthentication"),
    ("monitoring.coreos.com/v1", "PrometheusRule"),
    ("monitoring.coreos.com/v1", "PodMonitor"),
}


def _closed(schema: Any) -> Any:
    if isinstance(schema, list):
        return [_closed(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    closed = {key: _closed(value) for key, value in schema.items()}
    if (
        "properties" in closed
        and "additionalProperties" not in closed
        and not closed.get("x-kubernetes-preserve-unknown-fields")
    ):
        closed["additionalProperties"] = False
    return closed


def _custom_schema(api_version: str, kind: str) -> dict[str, Any]:
    group, version = api_version.split("/")
    schema = json.loads((SCHEMAS / f"{group}_{kind.lower()}_{version}.json").read_text())
    root: dict[str, Any] = _closed(schema)
    # metadata is the API server's (ObjectMeta), open in the CRD schema; apiVersion and kind too.
    root.setdefault("properties", {})["metadata"] = {"type": "object"}
    return root


def validate(resource: dict[str, Any]) -> None:
    """Raise on an invalid resource, or on a kind no schema covers."""
    key = (resource["apiVersion"], resource["kind"])
    if key in CUSTOM_KINDS:
        # Not jsonschema.validate: it checks the schema itself first, and the operators' Go
        # regular expressions (inline flags mid-pattern) are not Python ones.
        jsonschema.Draft202012Validator(_custom_schema(*key)).validate(resource)
    else:
        kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)
