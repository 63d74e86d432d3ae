"""The token authenticator's cache, against a counting lookup."""

from __future__ import annotations

from uuid import uuid4

from cmis_dashboard_api.domain.tokens import hash_token
from cmis_dashboard_api.handlers.auth import Authenticator
from cmis_dashboard_api.ports import Principal

PRINCIPAL = Principal(uuid4(), "ana@example.test", frozenset({uuid4()}))


class Lookup:
    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, token_hash: str) -> Principal | None:
        self.calls += 1
        return PRINCIPAL if token_hash == hash_token("good") else None


async def test_a_known_token_is_looked_up_once_within_the_ttl() -> None:
    now = [0.0]
    lookup = Lookup()
    auth = Authenticator(lookup, ttl_seconds=30, clock=lambda: now[0])

    assert await auth.authenticate("good") == PRINCIPAL
    now[0] = 29
    assert await auth.authenticate("good") == PRINCIPAL
    assert lookup.calls == 1
    now[0] = 31
    await auth.authenticate("good")
    assert lookup.calls == 2


async def test_empty_or_overlong_tokens_never_reach_the_lookup() -> None:
    lookup = Lookup()
    auth = Authenticator(lookup, ttl_seconds=30)

    assert await auth.authenticate("") is None
    assert await auth.authenticate("x" * 201) is None
    assert lookup.calls == 0


async def test_an_unknown_token_is_remembered_briefly() -> None:
    now = [0.0]
    lookup = Lookup()
    auth = Authenticator(lookup, ttl_seconds=30, clock=lambda: now[0])

    assert await auth.authenticate("bad") is None
    now[0] = 6  # past UNKNOWN_TOKEN_TTL
    assert await auth.authenticate("bad") is None
    assert lookup.calls == 2


async def test_2000_random_tokens_do_not_evict_a_real_users_cached_entry() -> None:
    lookup = Lookup()
    auth = Authenticator(lookup, ttl_seconds=30, clock=lambda: 0.0, max_entries=1000)

    assert await auth.authenticate("good") == PRINCIPAL
    for _ in range(2000):
        assert await auth.authenticate(f"cmis_{uuid4().hex}") is None
    calls = lookup.calls
    assert await auth.authenticate("good") == PRINCIPAL
    assert lookup.calls == calls  # served from the cache: no database lookup


async def test_the_least_recently_used_known_entry_goes_first() -> None:
    lookup = Lookup()
    auth = Authenticator(lookup, ttl_seconds=30, clock=lambda: 0.0, max_entries=1)
    await auth.authenticate("good")
    await auth.authenticate("good")
    assert lookup.calls == 1
