"""Platform calls are traced without their query strings (Meta carries tokens there)."""

from __future__ import annotations

import httpx
import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from cmis_shared.events import Platform
from cmis_sync_worker.connectors import transport
from cmis_sync_worker.connectors.registry import build_connectors
from tests.support.platform_sim import PlatformSim

from .conftest import CREDENTIALS, TOKEN, case_for

pytestmark = pytest.mark.integration


async def test_platform_call_spans_keep_method_path_and_status_only(
    platform_sim: PlatformSim,
    http: httpx.AsyncClient,
    tracer_provider: TracerProvider,
    span_exporter: InMemorySpanExporter,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(transport, "tracer", tracer_provider.get_tracer("test"))
    case = case_for(Platform.META, platform_sim.dataset)
    await build_connectors(http, platform_sim.endpoints)[Platform.META].fetch_campaigns(
        case.account, CREDENTIALS
    )
    spans = span_exporter.get_finished_spans()
    assert spans, "no platform call was traced"
    for span in spans:
        assert span.name == "GET meta"
        assert span.attributes is not None
        assert span.attributes["http.response.status_code"] == 200
        assert str(span.attributes["url.path"]).startswith("/meta/v")
        assert TOKEN not in repr(dict(span.attributes))
