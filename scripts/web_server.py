"""Serves the built web dashboard (services/web/dist) as static files: for the demo, the
browser tests, and the web image (deploy/Dockerfile, target ``web``) that Kubernetes and
compose run.

``/config.json`` tells the page where the API is (``CMIS_WEB_API_URL``), so one build serves
every environment; ``/healthz`` answers the container's probes. The headers keep the page to
its own scripts and the API's origin, and keep stream tickets out of Referer headers.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DIST = Path(__file__).resolve().parents[1] / "services" / "web" / "dist"


class SecurityHeaders:
    def __init__(self, app: ASGIApp, api_url: str) -> None:
        self.app = app
        self.headers = [
            (
                b"content-security-policy",
                (
                    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                    f"connect-src 'self' {api_url}; frame-ancestors 'none'; base-uri 'none'"
                ).encode(),
            ),
            (b"referrer-policy", b"no-referrer"),
            (b"x-content-type-options", b"nosniff"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.headers]
            await send(message)

        await self.app(scope, receive, with_headers)


def create_app(api_url: str, dist: Path = DIST) -> Starlette:
    if not (dist / "index.html").is_file():
        raise SystemExit(f"{dist} has no index.html: build the web dashboard (make install)")

    async def config(_: Request) -> Response:
        return JSONResponse({"apiBaseUrl": api_url}, headers={"Cache-Control": "no-store"})

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})

    return Starlette(
        routes=[
            Route("/config.json", config),
            Route("/healthz", healthz),
            Mount("/", StaticFiles(directory=dist, html=True)),
        ],
        middleware=[Middleware(SecurityHeaders, api_url=api_url)],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=os.environ.get("CMIS_WEB_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("CMIS_WEB_PORT", "8080")))
    parser.add_argument(
        "--api-url", default=os.environ.get("CMIS_WEB_API_URL", "http://127.0.0.1:8000")
    )
    args = parser.parse_args()
    uvicorn.run(create_app(args.api_url), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
