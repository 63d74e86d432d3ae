"""A tiny webhook receiver that does what a real one should: verify the signature, refuse
stale or forged requests, and accept each idempotency key once (a repeat is answered 200 but
not applied). The demo runs it and logs what arrives; the notifier's tests drive it with a
script of faults (answer 500, hang past the timeout, then succeed).

    python -m scripts.webhook_receiver --port 8990 --secret <the channel's secret>
    python -m scripts.webhook_receiver --port 8990 --secret-file demo-webhook.secret
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from cmis_notifier.domain.signing import IDEMPOTENCY_HEADER, SIGNATURE_HEADER, verify


@dataclass
class Receiver:
    secret: str | None = None  # None: accept unsigned (a Slack-compatible endpoint)
    secret_file: Path | None = None  # read at each request (the demo writes it after start)
    faults: deque[str] = field(default_factory=deque)  # "error" | "hang", one per request
    hang_seconds: float = 30.0
    accepted: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> first body
    order: list[str] = field(default_factory=list)  # keys, in acceptance order
    duplicates: int = 0
    rejected: int = 0
    requests: int = 0
    in_flight: int = 0
    log: bool = False
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)  # ends a hang early once set

    async def handle(self, request: Request) -> JSONResponse:
        self.requests += 1
        self.in_flight += 1
        try:
            return await self._handle(request)
        finally:
            self.in_flight -= 1

    async def _handle(self, request: Request) -> JSONResponse:
        raw = await request.body()
        if self.secret_file is not None and self.secret_file.exists():
            self.secret = self.secret_file.read_text().strip()
        if self.secret is not None and not verify(
            self.secret, request.headers.get(SIGNATURE_HEADER, ""), raw, int(time.time())
        ):
            self.rejected += 1
            return JSONResponse({"error": "bad signature"}, status_code=401)
        fault = self.faults.popleft() if self.faults else None
        if fault == "error":
            return JSONResponse({"error": "scripted failure"}, status_code=500)
        if fault == "hang":
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.release.wait(), self.hang_seconds)
        body = json.loads(raw)
        key = request.headers.get(IDEMPOTENCY_HEADER) or str(hash(raw))
        if key in self.accepted:
            self.duplicates += 1
            return JSONResponse({"status": "duplicate"})
        self.accepted[key] = body
        self.order.append(key)
        self.arrived.set()
        if self.log:
            print(json.dumps({"verified": self.secret is not None, "body": body}), flush=True)
        return JSONResponse({"status": "accepted"})

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{path:path}", self.handle, methods=["POST"])])


async def serve(receiver: Receiver, port: int, host: str = "127.0.0.1") -> uvicorn.Server:
    """Start serving in the running loop; returns once it listens."""
    server = uvicorn.Server(
        uvicorn.Config(receiver.app(), host=host, port=port, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()  # raises the start-up error
        await asyncio.sleep(0.02)
    server.task = task  # type: ignore[attr-defined]
    return server


async def stop(server: uvicorn.Server) -> None:
    server.should_exit = True
    await server.task  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(prog="webhook_receiver", description=__doc__)
    parser.add_argument("--port", type=int, default=8990)
    parser.add_argument("--secret", help="verify signatures with this secret (else accept all)")
    parser.add_argument("--secret-file", type=Path, help="the same, read from this file")
    args = parser.parse_args()
    receiver = Receiver(secret=args.secret, secret_file=args.secret_file, log=True)
    uvicorn.run(receiver.app(), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
