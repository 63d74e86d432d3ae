"""The sign-in use case over in-memory fakes: the throttle is asked before any hash, only
failures are counted, every kind of failure looks the same, and a hash with old parameters
is renewed on a successful sign-in."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from argon2 import PasswordHasher

from cmis_dashboard_api.domain.passwords import Passwords
from cmis_dashboard_api.handlers.sign_in import SignIn, SignInFailedError, SignInThrottledError
from cmis_dashboard_api.ports import IssuedToken, StoredPassword

PASSWORD = "correct horse battery"


@dataclass
class FakeStore:
    users: dict[str, StoredPassword] = field(default_factory=dict)
    issued: list[uuid.UUID] = field(default_factory=list)
    lookups: int = 0
    replaced: list[tuple[str, str]] = field(default_factory=list)

    async def stored_password(self, email: str) -> StoredPassword | None:
        self.lookups += 1
        return self.users.get(email.lower())

    async def issue_token(self, user_id: uuid.UUID) -> IssuedToken:
        self.issued.append(user_id)
        return IssuedToken(f"cmis_{len(self.issued)}", datetime.now(UTC))

    async def replace_hash(self, user_id: uuid.UUID, old_hash: str, new_hash: str) -> None:
        self.replaced.append((old_hash, new_hash))


@dataclass
class FakeThrottle:
    limit: int
    failures: list[tuple[str, str]] = field(default_factory=list)

    async def retry_after(self, account: str, address: str) -> float | None:
        mine = [f for f in self.failures if f[0] == account or f[1] == address]
        return 42.5 if len(mine) >= self.limit else None

    async def failed(self, account: str, address: str) -> None:
        self.failures.append((account, address))


@pytest.fixture
def passwords() -> Passwords:
    return Passwords()


def _sign_in(store: FakeStore, throttle: FakeThrottle, passwords: Passwords) -> SignIn:
    return SignIn(store, throttle, passwords, concurrency=2)


async def test_only_failures_count_and_a_throttled_client_costs_no_lookup(
    passwords: Passwords,
) -> None:
    user = StoredPassword(uuid.uuid4(), passwords.hash(PASSWORD))
    store, throttle = FakeStore({"ana@example.com": user}), FakeThrottle(limit=2)
    handler = _sign_in(store, throttle, passwords)
    assert (await handler.sign_in("ana@example.com", PASSWORD, "10.0.0.1")).token == "cmis_1"
    assert throttle.failures == []
    for _ in range(2):
        with pytest.raises(SignInFailedError):
            await handler.sign_in("ana@example.com", "wrong password", "10.0.0.1")
    lookups = store.lookups
    with pytest.raises(SignInThrottledError) as refused:
        await handler.sign_in("ana@example.com", PASSWORD, "10.0.0.2")
    assert refused.value.retry_after_seconds == 43
    assert store.lookups == lookups and store.issued == [user.user_id]


async def test_unknown_email_no_password_and_wrong_password_all_fail_alike(
    passwords: Passwords,
) -> None:
    store = FakeStore(
        {
            "ana@example.com": StoredPassword(uuid.uuid4(), passwords.hash(PASSWORD)),
            "bo@example.com": StoredPassword(uuid.uuid4(), None),
        }
    )
    throttle = FakeThrottle(limit=100)
    handler = _sign_in(store, throttle, passwords)
    for email, password in [
        ("ana@example.com", "wrong password"),
        ("nobody@example.com", PASSWORD),
        ("bo@example.com", PASSWORD),
    ]:
        with pytest.raises(SignInFailedError):
            await handler.sign_in(email, password, "10.0.0.1")
    assert len(throttle.failures) == 3 and store.issued == []


async def test_a_hash_with_old_parameters_is_renewed_at_sign_in(passwords: Passwords) -> None:
    old = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    store = FakeStore({"ana@example.com": StoredPassword(uuid.uuid4(), old)})
    await _sign_in(store, FakeThrottle(limit=5), passwords).sign_in(
        "ana@example.com", PASSWORD, "10.0.0.1"
    )
    [(replaced, renewed)] = store.replaced
    assert replaced == old and renewed != old and not passwords.needs_rehash(renewed)
    assert passwords.verify(renewed, PASSWORD)
