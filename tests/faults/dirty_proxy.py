"""A pass-through proxy in front of the platform simulator that, when told to, dirties the
platform's text the way real platforms sometimes do: a NUL byte and a string far longer than
any column. The simulator's own faults are about HTTP behaviour, not about data; this keeps
the simulator unchanged and lets one fault test switch dirty data on and off."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import AsyncIterator
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.support.ports import free_port

LONG_TEXT = "x" * 5000  # longer than every name and text column (at most 500 characters)
# Display names only: identifiers (Google's resourceName) must stay intact.
NAME_KEYS = frozenset({"name", "campaign_name"})


def dirty(value: Any) -> Any:
    """Every display name gets a NUL byte and an over-long tail."""
    if isinstance(value, dict):
        return {
            key: (
                f"{item}\x00{LONG_TEXT}"
                if isinstance(item, str) and key in NAME_KEYS
                else dirty(item)
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [dirty(item) for item in value]
    return value


class DirtyProxy:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.port = free_port()
        self.dirty = False
        self._client: httpx.AsyncClient | None = None  # made on the server's own loop
        app = Starlette(
            routes=[Route("/{path:path}", self._forward, methods=_METHODS)],
            lifespan=self._lifespan,
        )
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        yield
        if self._client is not None:
            await self._client.aclose()

    async def _forward(self, request: Request) -> Response:
        if self._client is None:
            self._client = httpx.AsyncClient(base_url=self.upstream, timeout=30)
        forwarded = self._client.build_request(
            request.method,
            request.url.path,
            params=request.query_params.multi_items(),
            content=await request.body(),
            headers={k: v for k, v in request.headers.items() if k.lower() != "host"},
        )
        try:
            upstream = await self._client.send(forwarded)
        except httpx.RemoteProtocolError:
            # The simulator closed a pooled keep-alive connection: the proxy's own hiccup,
            # not a platform fault, so it must not reach the worker.
            upstream = await self._client.send(forwarded)
        body = upstream.content
        if self.dirty and upstream.headers.get("content-type", "").startswith("application/json"):
            body = json.dumps(dirty(upstream.json())).encode()
        headers = {
            k: v
            for k, v in upstream.headers.items()
            if k.lower() not in ("content-length", "content-encoding", "transfer-encoding")
        }
        return Response(body, upstream.status_code, headers=headers)

    def start(self) -> None:
        self._thread.start()
        for _ in range(100):
            if self._server.started:
                return
            threading.Event().wait(0.05)
        raise RuntimeError("dirty-data proxy did not start")

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(10)


_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
