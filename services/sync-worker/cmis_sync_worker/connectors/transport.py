"""The one place connectors touch the network.

Builds the pooled client, sends a request, maps transport failures to typed errors and
parses JSON with ``Decimal`` for every fractional number (a JSON ``12.3`` never becomes a
float). Log lines carry platform, method, path and status only: never a query string
(Meta puts tokens there), a header or a body.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport
from opentelemetry import trace

from cmis_shared.events import Platform

from .base import ConnectorError, InvalidResponse, PlatformTimeout, TransientPlatformError
from .config import PlatformEndpoints
from .throttle import slowdown_seconds

logger = logging.getLogger(__name__)
# Our own client span instead of the httpx instrumentation: that one records the full URL,
# and Meta puts access tokens in query strings. Here only method, path and status are kept.
tracer = trace.get_tracer(__name__)

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]


def make_http_client(endpoints: PlatformEndpoints) -> httpx.AsyncClient:
    """The process's one pooled client. Every timeout is set on purpose.

    httpx's API over aiohttp's connection pool: httpcore's pool re-checks every pooled
    connection's socket on every request, which at a few hundred concurrent syncs cost a
    third of the worker's CPU; aiohttp's pool hands out a connection per origin in O(1)."""
    limits = httpx.Limits(
        max_connections=endpoints.max_connections,
        max_keepalive_connections=endpoints.max_keepalive_connections,
    )
    return httpx.AsyncClient(
        timeout=httpx.Timeout(
            connect=endpoints.connect_timeout_s,
            read=endpoints.read_timeout_s,
            write=endpoints.write_timeout_s,
            pool=endpoints.pool_timeout_s,
        ),
        transport=AiohttpTransport(limits=limits),
        follow_redirects=False,
    )


def _timed_out(error: httpx.TransportError) -> bool:
    """httpx-aiohttp reports every aiohttp connection error (refused, reset, disconnected)
    as ``httpx.ConnectTimeout``; only a real timeout underneath counts as one."""
    cause = error.__cause__
    if isinstance(cause, aiohttp.ClientError):
        return isinstance(cause, aiohttp.ServerTimeoutError)
    return isinstance(error, httpx.TimeoutException)


@dataclass(frozen=True)
class Reply:
    status: int
    headers: httpx.Headers
    body: Any  # parsed JSON; None when the body was empty or not JSON
    malformed: bool = False


@contextmanager
def schema_guard(platform: Platform, what: str) -> Iterator[None]:
    """Turn a missing or mistyped field while mapping into :class:`InvalidResponse`."""
    try:
        yield
    except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError) as exc:
        detail = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)[:120]
        raise InvalidResponse(platform, f"unexpected {what} shape: {detail}") from exc


def _parse_json(content: bytes) -> tuple[Any, bool]:
    if not content:
        return None, False
    try:
        return json.loads(content, parse_float=Decimal), False
    except ValueError:
        return None, True


class PlatformHttp:
    """A platform's view of the shared client: typed failures, usage-based slow-down."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        platform: Platform,
        endpoints: PlatformEndpoints,
        *,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.time,
    ) -> None:
        self.client = client
        self.platform = platform
        self.endpoints = endpoints
        self.sleep = sleep
        self.clock = clock

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    async def send(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        params: Mapping[str, str | int] | None = None,
        json_body: object = None,
        form: Mapping[str, str] | None = None,
    ) -> Reply:
        path = httpx.URL(url).path
        with tracer.start_as_current_span(
            f"{method} {self.platform.value}",
            kind=trace.SpanKind.CLIENT,
            attributes={"http.request.method": method, "url.path": path,
                        "cmis.platform": self.platform.value},
        ) as span:  # fmt: skip
            reply = await self._request(method, url, headers, params, json_body, form)
            span.set_attribute("http.response.status_code", reply.status)
            return reply

    async def _request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        params: Mapping[str, str | int] | None,
        json_body: object,
        form: Mapping[str, str] | None,
    ) -> Reply:
        try:
            response = await self.client.request(
                method, url, headers=headers, params=params, json=json_body, data=form
            )
        except httpx.TransportError as exc:
            error = (
                PlatformTimeout(self.platform, f"timed out ({type(exc).__name__})")
                if _timed_out(exc)
                else TransientPlatformError(
                    self.platform, f"connection failed ({type(exc).__name__})"
                )
            )
            raise self._logged(error, method, url) from exc
        body, malformed = _parse_json(response.content)
        return Reply(response.status_code, response.headers, body, malformed)

    def expect_json(self, reply: Reply, what: str) -> Any:
        """The body of a successful reply, or :class:`InvalidResponse` if it is not JSON."""
        if reply.malformed or reply.body is None:
            raise InvalidResponse(self.platform, f"{what}: body is not valid JSON")
        return reply.body

    async def slow_down_if_busy(self, usage_fraction: float) -> None:
        delay = slowdown_seconds(
            usage_fraction,
            self.endpoints.usage_slowdown_threshold,
            self.endpoints.usage_slowdown_max_s,
        )
        if delay > 0:
            logger.info(
                "platform usage high, slowing down",
                extra={
                    "platform": self.platform.value,
                    "usage": round(usage_fraction, 3),
                    "delay_s": delay,
                },
            )
            await self.sleep(delay)

    def fail(self, error: ConnectorError, method: str, url: str, status: int) -> ConnectorError:
        """Log a classified failure (no secrets: path and status only) and return it."""
        return self._logged(error, method, url, status)

    def _logged(
        self, error: ConnectorError, method: str, url: str, status: int | None = None
    ) -> ConnectorError:
        logger.warning(
            "platform call failed",
            extra={
                "platform": self.platform.value,
                "method": method,
                "path": httpx.URL(url).path,
                "status": status,
                "error_class": error.error_class.value,
                "retryable": error.retryable,
                "retry_after": error.retry_after,
            },
        )
        return error


def guard_pages(platform: Platform, pages_read: int, max_pages: int) -> None:
    """A cursor that never ends is a platform bug; stop instead of looping forever."""
    if pages_read >= max_pages:
        raise InvalidResponse(platform, f"pagination did not end within {max_pages} pages")
