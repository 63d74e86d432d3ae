"""Minimal request/response types for the simulator's raw ASGI app (no framework on the hot
path: the benchmark drives thousands of calls per second through one process)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import orjson

Headers = list[tuple[bytes, bytes]]
JSON_HEADERS: Headers = [(b"content-type", b"application/json")]


@dataclass
class SimRequest:
    method: str
    path: str
    raw_query: bytes
    headers: dict[str, str]
    body: bytes = b""
    # The report fault (``report_failed``/``report_stuck``) a report job's creation took.
    report_fault: str | None = None
    _query: dict[str, str] | None = field(default=None, repr=False)

    @property
    def query(self) -> dict[str, str]:
        if self._query is None:
            self._query = dict(parse_qsl(self.raw_query.decode("latin-1"), keep_blank_values=True))
        return self._query

    def json(self) -> Any:
        return orjson.loads(self.body) if self.body else {}

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode(), keep_blank_values=True))

    def bearer(self) -> str | None:
        auth = self.headers.get("authorization", "")
        return auth[7:] if auth[:7].lower() == "bearer " else None


@dataclass
class SimResponse:
    status: int
    body: bytes
    headers: Headers = field(default_factory=lambda: list(JSON_HEADERS))


def json_response(payload: Any, status: int = 200, extra: Headers | None = None) -> SimResponse:
    headers = list(JSON_HEADERS)
    if extra:
        headers += extra
    return SimResponse(status, orjson.dumps(payload), headers)


def offset_token(offset: int) -> str:
    return f"sim-offset-{offset}"


def offset_from(token: str | None) -> int:
    if not token:
        return 0
    try:
        return max(0, int(token.rsplit("-", 1)[-1]))
    except ValueError:
        return 0
