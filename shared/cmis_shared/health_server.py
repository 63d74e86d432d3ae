"""A small asyncio HTTP server on the metrics port: ``/metrics`` (Prometheus), ``/healthz``
(the process's event loop answers) and ``/readyz`` (the readiness report, 200 or 503).

It replaces prometheus_client's ``start_http_server``, whose thread answered "ok" while the
event loop, the relay or every dependency was dead: here the loop itself must answer.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import structlog
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from cmis_shared.health import Readiness

log = structlog.get_logger(__name__)

REASONS = {200: "OK", 404: "Not Found", 405: "Method Not Allowed", 503: "Service Unavailable"}
JSON = "application/json"


class HealthServer:
    def __init__(
        self,
        registry: CollectorRegistry,
        readiness: Callable[[], Awaitable[Readiness]],
        *,
        host: str = "0.0.0.0",  # scraped and probed from outside the container
        port: int = 0,
    ) -> None:
        self._registry = registry
        self._readiness = readiness
        self._host = host
        self._port = port
        self._server: asyncio.Server | None = None

    @property
    def port(self) -> int:
        if self._server is None:
            return self._port
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, self._host, self._port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            method, _, rest = request.decode("latin-1").partition(" ")
            path = rest.split(" ", 1)[0].split("?", 1)[0]
            status, content_type, body = await self._respond(method, path)
            head = (
                f"HTTP/1.1 {status} {REASONS[status]}\r\nContent-Type: {content_type}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            )
            writer.write(head.encode("latin-1") + (body if method != "HEAD" else b""))
            await writer.drain()
        except (OSError, TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass  # the client went away or sent no request: nothing to answer
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    async def _respond(self, method: str, path: str) -> tuple[int, str, bytes]:
        if method not in ("GET", "HEAD"):
            return 405, JSON, b'{"error": "method not allowed"}'
        if path == "/metrics":
            return 200, CONTENT_TYPE_LATEST, generate_latest(self._registry)
        if path == "/healthz":
            return 200, JSON, b'{"status": "ok"}'
        if path == "/readyz":
            readiness = await self._readiness()
            return readiness.status_code, JSON, readiness.to_json()
        return 404, JSON, b'{"error": "not found"}'
