"""Cross-origin access for browser applications, from an explicit allow-list of origins
(``CMIS_CORS_ORIGINS``; none by default, and then no CORS header is ever sent).

Credentials policy: ``Access-Control-Allow-Credentials`` is never sent. The API
authenticates with a bearer token in the ``Authorization`` header (or a ticket in the live
stream's URL), never with cookies, so a page needs no credentialed request, and another
site's page cannot ride on a user's cookies. ``Authorization`` is allowed as a request
header; the headers a client must read are exposed."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

ALLOWED_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
ALLOWED_HEADERS = ("Authorization", "Content-Type", "Last-Event-ID")
# Pagination travels in the body (a cursor), so no pagination header needs exposing; a route
# that adds a response header a page must read adds it here.
EXPOSED_HEADERS = ("Retry-After", "Location", "WWW-Authenticate")
PREFLIGHT_CACHE_SECONDS = 600


def install_cors(app: FastAPI, origins: Sequence[str]) -> None:
    if not origins:
        return
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(origins),
        allow_credentials=False,
        allow_methods=list(ALLOWED_METHODS),
        allow_headers=list(ALLOWED_HEADERS),
        expose_headers=list(EXPOSED_HEADERS),
        max_age=PREFLIGHT_CACHE_SECONDS,
    )
