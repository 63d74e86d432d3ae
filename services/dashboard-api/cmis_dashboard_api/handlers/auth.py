"""Bearer-token authentication with an in-process cache, so a warm request costs a SHA-256
and a dict lookup instead of a PostgreSQL round trip. A revoked token or a membership change
takes effect within ``ttl_seconds``."""

from __future__ import annotations

import time
from collections.abc import Callable

from cmis_dashboard_api.domain.tokens import hash_token
from cmis_dashboard_api.ports import Principal, PrincipalLookup

MAX_TOKEN_LENGTH = 200
MAX_CACHED = 50_000
UNKNOWN_TOKEN_TTL = 5.0


class Authenticator:
    def __init__(
        self,
        lookup: PrincipalLookup,
        ttl_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lookup = lookup
        self._ttl = ttl_seconds
        self._clock = clock
        self._cache: dict[str, tuple[float, Principal | None]] = {}

    async def authenticate(self, token: str) -> Principal | None:
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        token_hash = hash_token(token)
        now = self._clock()
        cached = self._cache.get(token_hash)
        if cached is not None and cached[0] > now:
            return cached[1]
        principal = await self._lookup(token_hash)
        if len(self._cache) >= MAX_CACHED:
            self._cache.clear()
        ttl = self._ttl if principal is not None else min(self._ttl, UNKNOWN_TOKEN_TTL)
        self._cache[token_hash] = (now + ttl, principal)
        return principal

    def forget(self) -> None:
        """Drop every cached lookup (after this process changed memberships or tokens)."""
        self._cache.clear()
