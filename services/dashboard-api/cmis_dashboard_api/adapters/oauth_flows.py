"""Consent round trips in flight, in Redis under the state's nonce: who started it, where
the browser goes back, and what the server keeps for the callback (a PKCE verifier, X's
request token secret), encrypted. ``take`` is ``GETDEL``: a state works once. Losing Redis
only loses consents in progress (the user starts again)."""

from __future__ import annotations

from typing import Any

import redis.asyncio as redis

from cmis_shared.crypto import CredentialsDecryptionError, TokenCipher
from cmis_shared.settings import CmisSettings


class OAuthFlows:
    def __init__(self, client: redis.Redis, settings: CmisSettings, cipher: TokenCipher) -> None:
        self._client = client
        self._settings = settings
        self._cipher = cipher

    def _key(self, nonce: str) -> str:
        return self._settings.redis_key("oauth-flow", nonce)

    async def keep(self, nonce: str, flow: dict[str, Any], ttl_seconds: int) -> None:
        await self._client.set(
            self._key(nonce), self._cipher.encrypt(flow), ex=ttl_seconds, nx=True
        )

    async def take(self, nonce: str) -> dict[str, Any] | None:
        """The flow, removed as it is read; None once taken or expired."""
        stored = await self._client.getdel(self._key(nonce))
        if stored is None:
            return None
        try:
            return self._cipher.decrypt(stored if isinstance(stored, bytes) else stored.encode())
        except CredentialsDecryptionError:
            return None
