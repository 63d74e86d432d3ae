"""People's sign-in: email and password in, an expiring API token out.

Order matters: the throttle is asked first (a refused client costs no hash), then the
password is verified off the event loop (at most ``concurrency`` hashes at once: each takes
19 MiB and a core), and only a failure is counted. An unknown email, a user without a
password and a wrong password all fail the same way after the same work."""

from __future__ import annotations

import asyncio
import math

import structlog

from cmis_dashboard_api.adapters.sign_in_throttle import account_key
from cmis_dashboard_api.domain.passwords import Passwords
from cmis_dashboard_api.ports import IssuedToken, SignInStore, SignInThrottle

log = structlog.get_logger(__name__)


class SignInFailedError(Exception):
    """Unknown email or wrong password (deliberately not told apart)."""


class SignInThrottledError(Exception):
    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__("too many failed sign-ins")
        self.retry_after_seconds = retry_after_seconds


class SignIn:
    def __init__(
        self,
        store: SignInStore,
        throttle: SignInThrottle,
        passwords: Passwords,
        concurrency: int,
    ) -> None:
        self._store = store
        self._throttle = throttle
        self._passwords = passwords
        self._hashing = asyncio.Semaphore(concurrency)

    async def sign_in(self, email: str, password: str, address: str) -> IssuedToken:
        wait = await self._throttle.retry_after(email, address)
        if wait is not None:
            log.info("sign-in throttled", account=account_key(email)[:12], address=address)
            raise SignInThrottledError(max(1, math.ceil(wait)))
        stored = await self._store.stored_password(email)
        encoded = stored.password_hash if stored else None
        async with self._hashing:
            matches = await asyncio.to_thread(self._passwords.verify, encoded, password)
        if stored is None or encoded is None or not matches:
            await self._throttle.failed(email, address)
            log.info("sign-in failed", account=account_key(email)[:12], address=address)
            raise SignInFailedError
        if self._passwords.needs_rehash(encoded):
            async with self._hashing:
                renewed = await asyncio.to_thread(self._passwords.rehash, password)
            await self._store.replace_hash(stored.user_id, encoded, renewed)
        issued = await self._store.issue_token(stored.user_id)
        log.info("signed in", user_id=str(stored.user_id), address=address)
        return issued
