"""People's passwords: Argon2id (``argon2-cffi``) with OWASP's first recommended setting,
19 MiB, 2 passes, 1 lane (RFC 9106's 64 MiB x 4 lanes measured 640 ms a verification on this
2-core host under load, against 105 ms here; the sign-in limits, not the hash cost, are what
stop online guessing), and the rules a new password must meet.

A sign-in for an unknown email, or a user without a password, verifies against a dummy hash
of the same parameters, so both cost the same work as a wrong password and answer alike:
neither timing nor the message tells whether an account exists."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# OWASP Password Storage Cheat Sheet: m=19456 KiB, t=2, p=1 (Argon2id).
TIME_COST, MEMORY_KIB, LANES = 2, 19456, 1

MIN_LENGTH = 10
MAX_LENGTH = 1024  # hashing cost grows with the input: a bound keeps a request cheap


class WeakPasswordError(ValueError):
    """A new password that breaks the rules (length only: NIST 800-63B, no composition)."""


def check_new_password(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise WeakPasswordError(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise WeakPasswordError(f"a password has at most {MAX_LENGTH} characters")
    if password.strip() != password or "\x00" in password:
        raise WeakPasswordError("a password may not start or end with spaces or contain NUL")


class Passwords:
    """CPU-bound and blocking (tens of milliseconds each): callers run it off the event loop."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher(TIME_COST, MEMORY_KIB, parallelism=LANES)
        self._dummy = self._hasher.hash("not a password: unknown accounts verify against it")

    def hash(self, password: str) -> str:
        check_new_password(password)
        return self._hasher.hash(password)

    def verify(self, encoded: str | None, password: str) -> bool:
        """True when ``password`` matches ``encoded``; an absent or unreadable hash costs a
        dummy verification and is False."""
        if len(password) > MAX_LENGTH:
            return False
        try:
            return self._hasher.verify(encoded or self._dummy, password) and encoded is not None
        except VerifyMismatchError:
            return False
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, encoded: str) -> bool:
        return self._hasher.check_needs_rehash(encoded)

    def rehash(self, password: str) -> str:
        """A hash with today's parameters of a password that just verified (the rules of a
        new password do not apply to it: it is not new)."""
        return self._hasher.hash(password)
