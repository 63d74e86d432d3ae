"""Listing and revoking API tokens (``cmis-admin list-tokens`` / ``revoke-token``). Never
returns a secret: a token is shown by id, label, user and dates only."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import String, cast, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from cmis_shared.db.models import ApiToken, User

_ID_PREFIX = re.compile(r"[0-9a-f-]{4,36}")


@dataclass(frozen=True)
class TokenInfo:
    id: UUID
    label: str
    email: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


class AmbiguousTokenError(ValueError):
    """The id prefix is malformed or matches more than one token."""


async def _infos(session: AsyncSession, *where: Any) -> list[TokenInfo]:
    query = (
        select(ApiToken, User.email)
        .join(User, User.id == ApiToken.user_id)
        .where(*where)
        .order_by(User.email, ApiToken.created_at)
        .execution_options(populate_existing=True)  # a revocation just made shows
    )
    return [
        TokenInfo(t.id, t.label, email, t.created_at, t.expires_at, t.revoked_at)
        for t, email in (await session.execute(query)).all()
    ]


async def list_tokens(session: AsyncSession, email: str | None = None) -> list[TokenInfo]:
    return await _infos(session, *([] if email is None else [User.email == email]))


async def revoke_token(session: AsyncSession, id_or_prefix: str) -> TokenInfo | None:
    """Revoke the token whose id is or starts with ``id_or_prefix`` (4 or more characters);
    ``None`` when none matches. Revoking twice keeps the first revocation time."""
    prefix = id_or_prefix.strip().lower()
    if not _ID_PREFIX.fullmatch(prefix):
        raise AmbiguousTokenError("give the token id or at least its first 4 characters")
    matches = await _infos(session, cast(ApiToken.id, String).startswith(prefix))
    if len(matches) > 1:
        raise AmbiguousTokenError(f"{len(matches)} tokens start with {prefix}; give more")
    if not matches:
        return None
    await session.execute(
        update(ApiToken)
        .where(ApiToken.id == matches[0].id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=func.now())
    )
    return (await _infos(session, ApiToken.id == matches[0].id))[0]
