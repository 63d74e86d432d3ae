"""The OAuth 2.0 refresh-token grant, shared by Google and LinkedIn.

A refused grant (``invalid_grant``) means the user revoked access or the refresh token
expired: :class:`AuthRevoked`, the user has to reconnect. A refresh answer without a new
refresh token keeps the old one (reconnecting must never wipe a stored refresh token).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from .base import (
    AuthRevoked,
    ConfigError,
    ConnectorError,
    Credentials,
    InvalidResponse,
    TransientPlatformError,
)
from .transport import PlatformHttp, schema_guard


async def refresh_with_grant(
    http: PlatformHttp,
    token_url: str,
    client_id: str,
    client_secret: str,
    credentials: Credentials,
) -> Credentials:
    if not credentials.refresh_token:
        raise AuthRevoked(http.platform, "no refresh token stored; the user has to reconnect")
    reply = await http.send(
        "POST",
        token_url,
        headers={"Accept": "application/json"},
        form={
            "grant_type": "refresh_token",
            "refresh_token": credentials.refresh_token,
            "client_id": client_id,
            "client_secret": client_secret,
        },
    )
    if reply.status != 200:
        raise http.fail(_refusal(http, reply.status, reply.body), "POST", token_url, reply.status)
    body = http.expect_json(reply, "token refresh")
    with schema_guard(http.platform, "token refresh"):
        access_token = str(body["access_token"])
        expires_in = int(body.get("expires_in", 3600))
        new_refresh = body.get("refresh_token") or credentials.refresh_token
    if not access_token:
        raise InvalidResponse(http.platform, "token refresh returned an empty access token")
    return replace(
        credentials,
        access_token=access_token,
        refresh_token=str(new_refresh),
        expires_at=http.now() + timedelta(seconds=expires_in),
    )


def _refusal(http: PlatformHttp, status: int, body: object) -> ConnectorError:
    error = body.get("error") if isinstance(body, dict) else None
    description = body.get("error_description") if isinstance(body, dict) else None
    message = str(description or error or f"HTTP {status}")[:200]
    if status >= 500:
        return TransientPlatformError(http.platform, f"token endpoint: {message}")
    if error == "invalid_grant" or (status == 401 and error != "invalid_client"):
        return AuthRevoked(http.platform, f"refresh refused: {message}")
    return ConfigError(http.platform, f"token endpoint: {message}")
