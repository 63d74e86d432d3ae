"""Single-use tickets for live streams: ``EventSource`` cannot send an ``Authorization``
header, and a long-lived token must never sit in a URL (URLs reach logs, histories and
proxies). A ticket is random, lives ``lifetime_seconds`` (30 by default), is stored in Redis
only as its SHA-256 with the user, the organization and the hash of the token that asked
for it, and is consumed atomically (``GETDEL``): two connections cannot share one."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from uuid import UUID

import orjson
import redis.asyncio as redis

from cmis_dashboard_api.domain.tokens import hash_token
from cmis_shared.settings import CmisSettings

TICKET_PREFIX = "lt_"
MAX_TICKET_LENGTH = 100


@dataclass(frozen=True)
class TicketHolder:
    user_id: UUID
    token_hash: str  # the stream re-checks this token's validity while it runs


class LiveTickets:
    def __init__(self, client: redis.Redis, settings: CmisSettings, lifetime_seconds: int) -> None:
        self._redis = client
        self._prefix = settings.redis_key("live-ticket", "")
        self.lifetime_seconds = lifetime_seconds

    def _key(self, ticket: str) -> str:
        return self._prefix + hash_token(ticket)

    async def issue(self, org_id: UUID, user_id: UUID, token_hash: str) -> str:
        ticket = TICKET_PREFIX + secrets.token_urlsafe(24)
        holder = {"org_id": org_id.hex, "user_id": user_id.hex, "token_hash": token_hash}
        await self._redis.set(self._key(ticket), orjson.dumps(holder), ex=self.lifetime_seconds)
        return ticket

    async def redeem(self, ticket: str, org_id: UUID) -> TicketHolder | None:
        """Who the ticket was issued to, if it is live and for ``org_id``; it is spent
        either way."""
        if not ticket.startswith(TICKET_PREFIX) or len(ticket) > MAX_TICKET_LENGTH:
            return None
        stored = await self._redis.getdel(self._key(ticket))
        if stored is None:
            return None
        holder = orjson.loads(stored)
        if holder["org_id"] != org_id.hex:
            return None
        return TicketHolder(UUID(holder["user_id"]), holder["token_hash"])
