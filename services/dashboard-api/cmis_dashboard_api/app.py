"""The dashboard API process: ``create_app`` builds the FastAPI app whose lifespan runs the
service runtime (database, broker, outbox relay), the event consumer that keeps the
materialized view current, the Redis client and the live-update hub; ``main`` serves it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi_offline import FastAPIOffline
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.redis import RedisInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import Span

from cmis_dashboard_api.api import bench
from cmis_dashboard_api.api.cors import install_cors
from cmis_dashboard_api.api.docs import (
    add_code_samples,
    add_links,
    serve_swagger_ui_with_code_samples,
)
from cmis_dashboard_api.api.errors import install_error_handlers
from cmis_dashboard_api.api.request_metrics import RequestMetrics, install_request_metrics
from cmis_dashboard_api.api.router import api_router
from cmis_dashboard_api.bootstrap import bootstrap
from cmis_dashboard_api.settings import DashboardSettings
from cmis_dashboard_api.subscribers import subscribe
from cmis_shared.entrypoint import settings_or_exit
from cmis_shared.runtime import ServiceRuntime
from cmis_shared.telemetry import build_tracer_provider, start_process_telemetry

UNTRACED_URLS = r"/api/orgs/[^/]+/dashboard$,/_bench/raw/"
# Never traced: a live stream's URL may carry a ticket (spans must hold no secret), and a
# span as long as the stream says nothing useful.
NEVER_TRACED_URLS = r"/api/orgs/[^/]+/events"
DESCRIPTION = """The HTTP API of CMIS: one unified dashboard per organization, kept current
from events; sync status, history, manual triggers and statistics; integrations, KPI targets
and scheduled content; live updates over Server-Sent Events.

Every route but sign-in needs `Authorization: Bearer <token>`: sign in with
`POST /api/auth/login` (or issue a token with `cmis-admin`). Another organization's id
answers 404, exactly like a missing one. Errors always have the shape
`{"error": {"code", "message", "details"}}`."""


def _lifespan(settings: DashboardSettings, tracer_provider: TracerProvider) -> Any:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = ServiceRuntime(settings, tracer_provider)
        app.state.request_metrics = RequestMetrics(runtime.metrics)
        services = bootstrap(settings, runtime)
        subscribe(runtime, services.views)
        await runtime.connect()
        await runtime.broker.start()
        runtime.start_relay()
        runtime.start_background(services.live.run, "live-hub")
        app.state.services = services
        try:
            yield
        finally:
            await runtime.stop_background()
            await runtime.dispose()
            await services.aclose()

    return lifespan


def create_app(
    settings: DashboardSettings, tracer_provider: TracerProvider | None = None
) -> FastAPI:
    tracer_provider = tracer_provider or build_tracer_provider(settings)
    app = FastAPIOffline(
        title="CMIS Marketing API",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=_lifespan(settings, tracer_provider),
    )
    install_error_handlers(app, settings.unavailable_retry_after_seconds)
    install_cors(app, settings.cors_origins)
    install_request_metrics(app)  # outermost: counts CORS preflights and errors too
    app.include_router(api_router)
    app.add_api_route("/healthz", _healthz, include_in_schema=False)
    app.add_api_route("/readyz", _readyz, include_in_schema=False)
    if settings.benchmark_routes:
        app.include_router(bench.router)
    _install_openapi(app)
    serve_swagger_ui_with_code_samples(app)
    # One server span per request (receive/send spans cost more than they tell). The warm
    # dashboard read is left out by default: tracing it more than halved its throughput
    # (measured: ~1,000 vs ~2,500 req/s), and it crosses no service boundary.
    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=tracer_provider,
        exclude_spans=["receive", "send"],
        excluded_urls=",".join(
            (NEVER_TRACED_URLS, *(() if settings.trace_dashboard_reads else (UNTRACED_URLS,)))
        ),
        server_request_hook=_url_without_query,
    )
    redis_instrumentor = RedisInstrumentor()
    if not redis_instrumentor.is_instrumented_by_opentelemetry:  # patches redis-py once
        redis_instrumentor.instrument(tracer_provider=tracer_provider)
    return app


def _url_without_query(span: Span, scope: dict[str, Any]) -> None:
    """Server spans keep the URL without its query string: an OAuth callback's carries the
    authorization code and state, which must never reach a span."""
    if span.is_recording() and scope.get("query_string"):
        host = dict(scope.get("headers") or ()).get(b"host", b"").decode("latin-1")
        span.set_attribute("http.url", f"{scope.get('scheme', 'http')}://{host}{scope['path']}")


async def _healthz() -> dict[str, str]:
    """Liveness for process supervisors; it answers once the lifespan has started."""
    return {"status": "ok"}


async def _readyz(request: Request) -> Response:
    """Readiness (the same report as every service's metrics port): database, broker and
    Redis reachable, consumers and relay running, outbox young enough."""
    readiness = await request.app.state.services.runtime.readiness()
    return Response(
        readiness.to_json(), status_code=readiness.status_code, media_type="application/json"
    )


def _install_openapi(app: FastAPI) -> None:
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = add_links(add_code_samples(build()))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def main() -> None:
    """Serve on one worker (uvloop, httptools); SIGTERM/SIGINT stop it gracefully: uvicorn
    stops accepting, lets requests finish, then the lifespan closes everything."""
    settings = settings_or_exit(DashboardSettings, "cmis-dashboard-api")
    tracer_provider = start_process_telemetry(settings)
    uvicorn.run(
        create_app(settings, tracer_provider),
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http="httptools",
        workers=1,
        access_log=settings.access_log,
        log_config=None,
        timeout_graceful_shutdown=5,
    )
