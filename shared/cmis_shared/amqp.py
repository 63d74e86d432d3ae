"""Connections to any node of a RabbitMQ cluster.

aio-pika's robust connection reconnects, but always to the one URL it was made with: when that
node is gone for good, so is the connection. :class:`FailoverConnection` keeps aio-pika's
recovery (channels, queues, bindings and consumers restored on the new connection) and only
changes where each attempt goes: every URL in turn, starting after the node that was lost, so
a stopped or restarting node is tried last. FastStream's broker and our own publisher both
connect through :func:`connect_any`'s connection class.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import aio_pika
import structlog
from aio_pika import RobustConnection
from aio_pika.abc import AbstractRobustConnection, TimeoutType
from aio_pika.exceptions import CONNECTION_EXCEPTIONS
from yarl import URL

log = structlog.get_logger(__name__)

# One node that accepts TCP but never answers (a hung VM) must not hold up the others.
NODE_CONNECT_TIMEOUT_SECONDS = 10.0


class FailoverConnection(RobustConnection):
    """A robust connection over several node URLs: its own and the class's ``FALLBACK_URLS``
    (a class attribute: aio-pika would copy extra keyword arguments into the URL's query)."""

    FALLBACK_URLS: tuple[str, ...] = ()

    def __init__(self, url: URL, loop: asyncio.AbstractEventLoop | None = None, **kwargs: Any):
        super().__init__(url, loop=loop, **kwargs)
        self.urls: tuple[URL, ...] = (self.url, *(URL(u) for u in self.FALLBACK_URLS))
        self._current = 0
        self._connected_once = False

    async def connect(self, timeout: TimeoutType = None) -> None:  # noqa: ASYNC109 - aio-pika
        """``timeout`` bounds each node's TCP and AMQP handshake, not the restoring of channels
        and consumers that follows (a quorum queue electing a new leader may take longer)."""
        await super().connect(NODE_CONNECT_TIMEOUT_SECONDS if timeout is None else timeout)

    async def _RobustConnection__connect_transport(self) -> None:  # aio-pika's hook
        """Each (re)connection attempt: every node in turn, the lost one last. aio-pika calls
        this from its recovery loop; it retries after ``reconnect_interval`` if all fail."""
        start = self._current + 1 if self._connected_once else self._current
        errors: list[BaseException] = []
        for step in range(len(self.urls)):
            index = (start + step) % len(self.urls)
            self.url = self.urls[index]
            try:
                await super()._RobustConnection__connect_transport()  # type: ignore[misc]
            except CONNECTION_EXCEPTIONS as error:  # TimeoutError is an OSError
                errors.append(error)
                if len(self.urls) > 1:
                    log.warning("broker node unreachable", node=_node(self.url), error=repr(error))
                continue
            if self._connected_once and len(self.urls) > 1:
                log.info("broker connection moved", node=_node(self.url))
            self._current, self._connected_once = index, True
            return
        raise errors[-1]


def _node(url: URL) -> str:
    return f"{url.host}:{url.port}"  # never the credentials


def failover_class(urls: Sequence[str]) -> type[FailoverConnection]:
    """The connection class for ``aio_pika.connect_robust(urls[0], connection_class=...)``."""
    return type("FailoverConnection", (FailoverConnection,), {"FALLBACK_URLS": tuple(urls[1:])})


async def connect_any(urls: Sequence[str], **kwargs: Any) -> AbstractRobustConnection:
    """A robust connection to the first of ``urls`` that answers, moving to another when its
    node goes away."""
    return await aio_pika.connect_robust(urls[0], connection_class=failover_class(urls), **kwargs)
