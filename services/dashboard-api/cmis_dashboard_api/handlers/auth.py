"""Bearer-token authentication with an in-process cache, so a warm request costs a SHA-256
and a dict lookup instead of a PostgreSQL round trip. A revoked or expired token or a
membership change takes effect within ``ttl_seconds``.

Known and unknown tokens live in separate least-recently-used caches, each bounded: a flood
of random tokens only pushes out other unknown tokens, never a real user's entry."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from cmis_dashboard_api.domain.tokens import hash_token
from cmis_dashboard_api.ports import Principal, PrincipalLookup

MAX_TOKEN_LENGTH = 200
MAX_CACHED = 50_000
UNKNOWN_TOKEN_TTL = 5.0


class _Lru:
    def __init__(self, max_entries: int) -> None:
        self._max = max_entries
        self._entries: OrderedDict[str, tuple[float, Principal | None]] = OrderedDict()

    def get(self, key: str, now: float) -> tuple[float, Principal | None] | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] <= now:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return entry

    def put(self, key: str, entry: tuple[float, Principal | None]) -> None:
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    def pop(self, key: str) -> None:
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()


class Authenticator:
    def __init__(
        self,
        lookup: PrincipalLookup,
        ttl_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        max_entries: int = MAX_CACHED,
    ) -> None:
        self._lookup = lookup
        self._ttl = ttl_seconds
        self._clock = clock
        self._known = _Lru(max_entries)
        self._unknown = _Lru(max_entries)

    async def authenticate(self, token: str) -> Principal | None:
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        return await self.authenticate_hash(hash_token(token))

    async def authenticate_hash(self, token_hash: str) -> Principal | None:
        """The same, from the token's hash (a live stream ticket keeps only the hash)."""
        now = self._clock()
        cached = self._known.get(token_hash, now) or self._unknown.get(token_hash, now)
        if cached is not None:
            return cached[1]
        principal = await self._lookup(token_hash)
        if principal is None:
            self._known.pop(token_hash)
            self._unknown.put(token_hash, (now + min(self._ttl, UNKNOWN_TOKEN_TTL), None))
        else:
            self._unknown.pop(token_hash)
            self._known.put(token_hash, (now + self._ttl, principal))
        return principal

    def forget_token(self, token: str) -> None:
        """Drop one token's cached lookup (it was just revoked by this process)."""
        self._known.pop(hash_token(token))

    def forget(self) -> None:
        """Drop every cached lookup (after this process changed memberships or tokens)."""
        self._known.clear()
        self._unknown.clear()
