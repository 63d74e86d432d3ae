"""The platform calls of the connect flow: one pooled client, failures mapped to
:class:`OAuthFailure` codes. Nothing here logs a URL, header or body: Meta's code exchange
carries the client secret in its query string, and every answer may carry tokens."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl

import httpx
import orjson

from cmis_dashboard_api.domain.oauth import Callback, Grant, OAuthFailure
from cmis_dashboard_api.settings import ClientCredentials, OAuthClients

MAX_PAGES = 50  # account listings: an agency's hundreds of accounts, never an endless cursor


def make_oauth_client(timeout_seconds: float) -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=timeout_seconds, follow_redirects=False)


class PlatformOAuth:
    """What every platform's adapter shares: the client, the settings and this
    application's credentials at the platform (the settings field named like it)."""

    platform: str

    def __init__(self, http: OAuthHttp, clients: OAuthClients) -> None:
        self._http = http
        self._c = clients

    @property
    def app(self) -> ClientCredentials:
        credentials: ClientCredentials = getattr(self._c, self.platform)
        return credentials

    def configured(self) -> bool:
        return self.app.configured()


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


async def code_grant(
    http: OAuthHttp,
    token_url: str,
    app: ClientCredentials,
    callback: Callback,
    extra: Mapping[str, str] | None = None,
) -> Grant:
    """The OAuth 2.0 authorization-code grant (Google, LinkedIn; ``extra``: the PKCE
    verifier): a refusal (400/401) is ``code_rejected`` (expired, used or not ours),
    anything else unexpected a ``platform_error``; the answer's access token, lifetime and
    refresh token."""
    form = {
        "grant_type": "authorization_code",
        "code": callback.params.get("code", ""),
        "client_id": app.id,
        "client_secret": app.secret.get_secret_value(),
        "redirect_uri": callback.redirect_uri,
        **(extra or {}),
    }
    response = await http.send("POST", token_url, data=form)
    if response.status_code in (400, 401):
        raise OAuthFailure("code_rejected", f"token endpoint HTTP {response.status_code}")
    if response.status_code != 200:
        raise OAuthFailure("platform_error", f"token endpoint HTTP {response.status_code}")
    body = parse_json(response)
    access = field(body, "access_token")
    refresh, lifetime = body.get("refresh_token"), body.get("expires_in")
    credentials = {"access_token": str(access), "refresh_token": refresh}
    expires_at = callback.now + timedelta(seconds=int(lifetime)) if lifetime else None
    return Grant(credentials, expires_at, refreshable=bool(refresh))
