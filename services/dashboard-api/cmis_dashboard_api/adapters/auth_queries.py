"""Who holds a token, and which organizations they belong to."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cmis_dashboard_api.domain.roles import Role
from cmis_dashboard_api.ports import Principal, PrincipalLookup

_PRINCIPAL = text(
    """
    UPDATE api_tokens t SET last_used_at = now()
    FROM users u
    WHERE t.token_hash = :hash AND t.revoked_at IS NULL AND t.expires_at > now()
        AND u.id = t.user_id
    RETURNING u.id, u.email,
        ARRAY(SELECT m.org_id FROM org_members m WHERE m.user_id = u.id) AS org_ids,
        ARRAY(SELECT m.org_id FROM org_members m WHERE m.user_id = u.id AND m.role = :admin)
            AS admin_org_ids
    """
)


async def find_principal(session: AsyncSession, token_hash: str) -> Principal | None:
    """The token's user and orgs (and note its use), or ``None`` for an unknown, expired or
    revoked one."""
    row = (await session.execute(_PRINCIPAL, {"hash": token_hash, "admin": Role.ADMIN})).first()
    if row is None:
        return None
    return Principal(
        user_id=row.id,
        email=row.email,
        org_ids=frozenset(row.org_ids),
        admin_org_ids=frozenset(row.admin_org_ids),
    )


def principal_lookup(sessions: async_sessionmaker[AsyncSession]) -> PrincipalLookup:
    async def lookup(token_hash: str) -> Principal | None:
        async with sessions() as session, session.begin():
            return await find_principal(session, token_hash)

    return lookup
