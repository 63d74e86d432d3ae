"""People's accounts in PostgreSQL: the password a sign-in checks, the token it issues
(an ordinary row of ``api_tokens``, labelled ``sign-in``), setting a password and signing
out. Never returns or logs a plaintext secret except the token just issued."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cmis_dashboard_api.adapters.admin import issue_token
from cmis_dashboard_api.domain.tokens import hash_token
from cmis_dashboard_api.ports import IssuedToken, StoredPassword
from cmis_shared.db.models import ApiToken, User

SIGN_IN_LABEL = "sign-in"


def _by_email(email: str) -> ColumnElement[bool]:
    return func.lower(User.email) == email.strip().lower()


async def find_by_email(session: AsyncSession, email: str) -> User | None:
    """Emails compare without case; an exact match wins should two differ only in case."""
    query = select(User).where(_by_email(email)).order_by((User.email == email).desc()).limit(1)
    return await session.scalar(query)


async def set_password(session: AsyncSession, user_id: UUID, password_hash: str) -> int:
    """Store the new hash and revoke the user's sign-in tokens (a changed password ends the
    sessions that the old one opened); returns how many were revoked."""
    await session.execute(
        update(User)
        .where(User.id == user_id)
        .values(password_hash=password_hash, password_changed_at=func.now())
    )
    revoked = await session.execute(
        update(ApiToken)
        .where(
            ApiToken.user_id == user_id,
            ApiToken.label == SIGN_IN_LABEL,
            ApiToken.revoked_at.is_(None),
        )
        .values(revoked_at=func.now())
    )
    return revoked.rowcount or 0  # type: ignore[attr-defined]


async def revoke_presented(session: AsyncSession, token: str) -> bool:
    """Revoke the token the caller presented (sign-out); False when it was not live."""
    result = await session.execute(
        update(ApiToken)
        .where(ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None))
        .values(revoked_at=func.now())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


class SqlSignInStore:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], token_lifetime: timedelta
    ) -> None:
        self._sessions = sessions
        self._lifetime = token_lifetime

    async def stored_password(self, email: str) -> StoredPassword | None:
        async with self._sessions() as session:
            user = await find_by_email(session, email)
        return None if user is None else StoredPassword(user.id, user.password_hash)

    async def issue_token(self, user_id: UUID) -> IssuedToken:
        async with self._sessions() as session, session.begin():
            token = await issue_token(session, user_id, SIGN_IN_LABEL, self._lifetime)
            expires_at = await session.scalar(
                select(ApiToken.expires_at).where(ApiToken.token_hash == hash_token(token))
            )
        assert expires_at is not None
        return IssuedToken(token, expires_at)

    async def replace_hash(self, user_id: UUID, old_hash: str, new_hash: str) -> None:
        # Only if unchanged meanwhile: a password set concurrently is never overwritten.
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(User)
                .where(User.id == user_id, User.password_hash == old_hash)
                .values(password_hash=new_hash)
            )
