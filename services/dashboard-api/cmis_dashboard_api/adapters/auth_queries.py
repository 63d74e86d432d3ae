"""Who holds a token, and which organizations they belong to."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class Principal:
    user_id: UUID
    email: str
    org_ids: frozenset[UUID]


_PRINCIPAL = text(
    """
    UPDATE api_tokens t SET last_used_at = now()
    FROM users u
    WHERE t.token_hash = :hash AND t.revoked_at IS NULL AND u.id = t.user_id
    RETURNING u.id, u.email,
        ARRAY(SELECT m.org_id FROM org_members m WHERE m.user_id = u.id) AS org_ids
    """
)


async def find_principal(session: AsyncSession, token_hash: str) -> Principal | None:
    """The token's user and orgs (and note its use), or ``None`` for an unknown/revoked one."""
    row = (await session.execute(_PRINCIPAL, {"hash": token_hash})).first()
    if row is None:
        return None
    return Principal(user_id=row.id, email=row.email, org_ids=frozenset(row.org_ids))
