"""Tracing and structured logging, set up in one place for every service.

Traces: an OpenTelemetry tracer provider, exported over OTLP/HTTP when an endpoint is set and
to a JSON-lines file when ``trace_file`` is set (tests and the demo read it). The trace context
crosses the broker in AMQP headers: injected by the outbox relay's producer span
(:mod:`cmis_shared.publisher`), extracted by FastStream's telemetry middleware.

Logs: structlog, JSON, one line per event, carrying the bound ``correlation_id``/``org_id``
and the current trace id. Keys that look like secrets are redacted before rendering, and so
are secret-looking values wherever they appear (in any field, a standard-library message or a
rendered traceback): bearer tokens, ``Authorization`` headers, Fernet tokens, JWTs and
``access_token=`` / ``refresh_token=`` / ``client_secret=`` in URLs, forms and JSON.
"""

from __future__ import annotations

import functools
import logging
import re
import sys
import threading
from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any

import orjson
import structlog
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)

from cmis_shared.settings import CmisSettings

SECRET_MARKERS = ("token", "secret", "password", "authorization", "credential", "api_key")
REDACTED = "[redacted]"
_SECRET_PARAMS = (
    r"access_token|refresh_token|id_token|client_secret|token_secret|oauth_token"
    r"|oauth_token_secret|oauth_signature|password|api_key|apikey|secret|code_verifier"
)
# (pattern, replacement), applied in order: the name of what was redacted stays, so a log
# still reads. Headers come last: their parameters (OAuth 1.0a) are redacted one by one first.
_SECRET_VALUES: tuple[tuple[re.Pattern[str], str], ...] = (
    # name=value in URLs and forms, "name": "value" in JSON, name: value in reprs
    (
        re.compile(rf"(?i)([\"']?\b(?:{_SECRET_PARAMS})[\"']?\s*[=:]\s*[\"']?)[^&\s\"',;}}\]]+"),
        r"\1" + REDACTED,
    ),
    (re.compile(r"gAAAAA[A-Za-z0-9_=-]{20,}"), REDACTED),  # Fernet tokens (our ciphertexts)
    (re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"), REDACTED),  # JWT
    # Authorization headers, whatever the scheme (Bearer, OAuth 1.0a's parameter list, Basic)
    (re.compile(r"(?i)(\bauthorization[\"']?\s*[:=]\s*[\"']?)[^\"'\r\n}]+"), r"\1" + REDACTED),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{4,}"), r"\1 " + REDACTED),
)
# Nearly every logged string holds no secret, and running every pattern above over each one
# was most of the cost of a log line. What any pattern needs in order to match (a secret
# parameter's name holds one of the first words; Fernet tokens start "gAAAAA", JWTs "eyJ")
# is looked for first, as plain substrings of the lowered text: it can only over-match.
_SECRET_HINTS = (
    "token",
    "secret",
    "signature",
    "password",
    "api_key",
    "apikey",
    "code_verifier",
    "authorization",
    "bearer",
    "basic",
    "gaaaaa",
    "eyj",
)


class JsonLinesSpanExporter(SpanExporter):
    """Appends each finished span as one JSON line; several processes may share the file."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._lock = threading.Lock()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        lines = b"".join(orjson.dumps(orjson.loads(span.to_json())) + b"\n" for span in spans)
        with self._lock, open(self._path, "ab") as file:
            file.write(lines)
        return SpanExportResult.SUCCESS


def build_tracer_provider(settings: CmisSettings) -> TracerProvider:
    provider = TracerProvider(resource=Resource.create({"service.name": settings.service_name}))
    if settings.otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        endpoint = settings.otlp_endpoint.rstrip("/") + "/v1/traces"
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    if settings.trace_file:
        provider.add_span_processor(SimpleSpanProcessor(JsonLinesSpanExporter(settings.trace_file)))
    return provider


def _add_trace_context(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event_dict["trace_id"] = format(context.trace_id, "032x")
        event_dict["span_id"] = format(context.span_id, "016x")
    return event_dict


@functools.lru_cache(maxsize=1024)
def _is_secret_key(key: str) -> bool:
    """Cached: a service logs the same few dozen key names over and over."""
    lowered = key.lower()
    return any(marker in lowered for marker in SECRET_MARKERS)


def redact_secrets(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    for key in event_dict:
        if _is_secret_key(key):
            event_dict[key] = REDACTED
    return event_dict


def _may_hold_secret(text: str) -> bool:
    lowered = text.lower()
    # A loop rather than any(<generator>): this runs for every string of every log line.
    for hint in _SECRET_HINTS:  # noqa: SIM110
        if hint in lowered:
            return True
    return False


def redact_text(text: str) -> str:
    if not _may_hold_secret(text):
        return text
    for pattern, replacement in _SECRET_VALUES:
        text = pattern.sub(replacement, text)
    return text


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: _redact_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_redact_value(v) for v in value]
    return value


def redact_secret_values(
    _: Any, __: str, event_dict: MutableMapping[str, Any]
) -> Mapping[str, Any]:
    """Runs after the traceback was rendered to text, just before the renderer, so the
    exception's message and every other value are scanned as they will be written."""
    return {key: _redact_value(value) for key, value in event_dict.items()}


def configure_logging(settings: CmisSettings) -> None:
    """Route structlog and the standard library (FastStream, uvicorn) through one renderer."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _add_trace_context,
        redact_secrets,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer(serializer=lambda o, **_: orjson.dumps(o).decode())
        if settings.log_format == "json"
        else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        # A line below the level is dropped first, before its timestamp, trace ids and
        # redaction are worked out (the standard library would drop it only after them).
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, structlog.stdlib.ExtraAdder()],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            redact_secret_values,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    for noisy in ("aiormq", "aio_pika", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    structlog.contextvars.bind_contextvars(service=settings.service_name)


def start_process_telemetry(settings: CmisSettings) -> TracerProvider:
    """For a service's ``main``: structured logs, and the process-wide tracer provider (so
    code that asks OpenTelemetry for a tracer, like the platform client, joins the traces)."""
    configure_logging(settings)
    provider = build_tracer_provider(settings)
    trace.set_tracer_provider(provider)
    return provider
