"""Failed sign-ins, limited per account and per client address in Redis (every API process
shares the budget) with the shared GCRA of :mod:`cmis_shared.rate_limit`.

Each failure spends one cell of both buckets; a sign-in is refused, before its password is
checked, while either bucket is empty. Buckets refill evenly over the window, so a guesser
is slowed to one try every ``window / limit`` seconds rather than locked out for good, and a
real user locked by someone else's guesses waits minutes, not forever. Successful sign-ins
spend nothing. Checking and spending are two steps: concurrent wrong guesses that all passed
the check may overshoot the limit by as many as are in flight (at most the process's hash
concurrency each), never more.

Keys carry a digest of the email, not the email itself."""

from __future__ import annotations

import hashlib

import redis.asyncio as redis

from cmis_shared.rate_limit import Rate, RedisRateLimit
from cmis_shared.settings import CmisSettings


def account_key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


class RedisSignInThrottle:
    def __init__(
        self,
        client: redis.Redis,
        settings: CmisSettings,
        *,
        account_limit: int,
        address_limit: int,
        window_seconds: int,
    ) -> None:
        self._limit = RedisRateLimit(client)
        self._account = settings.redis_key("sign-in", "account", "")
        self._address = settings.redis_key("sign-in", "address", "")
        self._account_rate = Rate.per_window(account_limit, window_seconds)
        self._address_rate = Rate.per_window(address_limit, window_seconds)

    def _keys(self, account: str, address: str) -> list[tuple[str, Rate]]:
        return [
            (self._account + account_key(account), self._account_rate),
            (self._address + address, self._address_rate),
        ]

    async def retry_after(self, account: str, address: str) -> float | None:
        """Seconds until this account and address may try again; ``None``: they may now."""
        waits = [
            (await self._limit.take(key, rate, commit=False)).wait_seconds
            for key, rate in self._keys(account, address)
        ]
        return max(waits) if any(wait > 0 for wait in waits) else None

    async def failed(self, account: str, address: str) -> None:
        for key, rate in self._keys(account, address):
            await self._limit.take(key, rate)
