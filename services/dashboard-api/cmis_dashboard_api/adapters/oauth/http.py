"""The platform calls of the connect flow: one pooled client, failures mapped to
:class:`OAuthFailure` codes. Nothing here logs a URL, header or body: Meta's code exchange
carries the client secret in its query string, and every answer may carry tokens."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

import httpx
import orjson

from cmis_dashboard_api.domain.oauth import Grant, OAuthFailure

MAX_PAGES = 50  # account listings: an agency's hundreds of accounts, never an endless cursor


def make_oauth_client(timeout_seconds: float) -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=timeout_seconds, follow_redirects=False)


class OAuthHttp:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            response = await self._client.request(method, url, **kwargs)
        except httpx.HTTPError as error:
            # ``from None``: httpx's message holds the URL, and Meta's carries the secret.
            raise OAuthFailure(
                "platform_error", f"{type(error).__name__} calling the platform"
            ) from None
        if response.status_code >= 500:
            raise OAuthFailure("platform_error", f"HTTP {response.status_code}")
        return response

    async def json(self, method: str, url: str, **kwargs: Any) -> Any:
        """The JSON body of a successful call; anything else is a ``platform_error``."""
        response = await self.send(method, url, **kwargs)
        if response.status_code != 200:
            raise OAuthFailure("platform_error", f"HTTP {response.status_code}")
        return parse_json(response)


def parse_json(response: httpx.Response) -> Any:
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError:
        raise OAuthFailure("platform_error", "the answer is not JSON") from None


def parse_form(response: httpx.Response) -> dict[str, str]:
    return dict(parse_qsl(response.text, keep_blank_values=True))


def field(body: Any, *path: str | int) -> Any:
    """``body[path[0]][path[1]]...``, or ``platform_error`` naming the missing field."""
    try:
        for key in path:
            body = body[key]
    except (KeyError, IndexError, TypeError):
        raise OAuthFailure("platform_error", f"missing field {path}") from None
    return body


def grant_from_token_answer(body: Any, now: datetime) -> Grant:
    """An OAuth 2.0 token answer (Google, LinkedIn): access token, lifetime, refresh token."""
    access = field(body, "access_token")
    refresh = body.get("refresh_token") if isinstance(body, dict) else None
    lifetime = body.get("expires_in") if isinstance(body, dict) else None
    credentials = {"access_token": str(access), "refresh_token": refresh}
    expires_at = now + timedelta(seconds=int(lifetime)) if lifetime else None
    return Grant(credentials, expires_at, refreshable=bool(refresh))
