"""The metric names a PromQL expression of ours may use: those the code defines (read from the
source, so a renamed metric fails the tests), FastStream's broker metrics (prefix `cmis`, see
cmis_shared.broker), RabbitMQ's own, and any still to be added (PENDING, empty now)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

# prometheus_client adds these to the name it is given.
_SUFFIXES = {
    "Counter": ("_total",),
    "Gauge": ("",),
    "Histogram": ("_bucket", "_sum", "_count"),
    "Summary": ("_sum", "_count"),
}
_DEFINITION = re.compile(r"\b(Counter|Gauge|Histogram|Summary)\(\s*\"([a-z_:][a-z0-9_:]*)\"")
_FASTSTREAM = (
    "received_messages_total",
    "received_messages_size_bytes_bucket",
    "received_messages_in_process",
    "received_processed_messages_total",
    "received_processed_messages_duration_seconds_bucket",
    "received_processed_messages_exceptions_total",
    "published_messages_total",
    "published_messages_duration_seconds_bucket",
    "published_messages_exceptions_total",
)
# RabbitMQ's Prometheus plugin, per object (/metrics/per-object or return_per_object_metrics).
RABBITMQ = {"rabbitmq_queue_messages_ready", "rabbitmq_queue_messages", "rabbitmq_queue_consumers"}
# Named by the alert rules and the dashboard but not yet exported by the code (none now: a
# name added here must say which service will export it).
PENDING: set[str] = set()


def defined_by_code() -> set[str]:
    names = {f"cmis_{name}" for name in _FASTSTREAM}
    for source in [*ROOT.glob("shared/**/*.py"), *ROOT.glob("services/**/*.py")]:
        for kind, name in _DEFINITION.findall(source.read_text()):
            names.update(name + suffix for suffix in _SUFFIXES[kind])
    return names


def known() -> set[str]:
    return defined_by_code() | RABBITMQ | PENDING


_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')
_MATCHERS = re.compile(r"\{[^}]*\}")
_RANGES = re.compile(r"\[[^\]]*\]")
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_IDENTIFIER = re.compile(r"(?<![\w$.])([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()")
_KEYWORDS = {"and", "or", "unless", "bool", "offset", "by", "without", "inf", "nan"}


def metric_names(expr: str) -> set[str]:
    """The metric names in a PromQL expression (functions, labels and keywords left out)."""
    text = _STRINGS.sub("", expr)
    text = _MATCHERS.sub("", text)
    text = _RANGES.sub("", text)
    text = _GROUPING.sub("", text)
    return {name for name in _IDENTIFIER.findall(text) if name.lower() not in _KEYWORDS}
