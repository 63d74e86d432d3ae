"""Administrative operations, importable (the demo seed uses them) and behind ``cmis-admin``:
organizations, users and their API tokens, and connecting an integration."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from cmis_dashboard_api.adapters import integrations
from cmis_dashboard_api.adapters.api_tokens import list_tokens, revoke_token
from cmis_dashboard_api.domain.roles import Role
from cmis_dashboard_api.domain.tokens import DEFAULT_TOKEN_LIFETIME, hash_token, new_token
from cmis_shared.crypto import TokenCipher
from cmis_shared.db.models import ApiToken, Integration, Organization, OrgMember, User
from cmis_shared.settings import CmisSettings, load_settings
from cmis_shared.uow import UnitOfWork

__all__ = [
    "add_member",
    "connect_integration",
    "create_organization",
    "create_user",
    "find_user",
    "issue_token",
    "list_tokens",
    "revoke_token",
]


async def create_organization(
    session: AsyncSession, name: str, timezone: str = "UTC"
) -> Organization:
    org = Organization(name=name, timezone=timezone)
    session.add(org)
    await session.flush()
    return org


async def add_member(
    session: AsyncSession, user_id: UUID, org_id: UUID, role: str = Role.MEMBER
) -> None:
    Role(role)  # refuses an unknown role before it reaches the table
    await session.execute(
        insert(OrgMember).values(org_id=org_id, user_id=user_id, role=role).on_conflict_do_nothing()
    )


async def issue_token(
    session: AsyncSession,
    user_id: UUID,
    label: str = "",
    lifetime: timedelta = DEFAULT_TOKEN_LIFETIME,
) -> str:
    """A new API token for the user, expiring after ``lifetime``; only its hash is stored,
    the plaintext is returned once."""
    token = new_token()
    session.add(
        ApiToken(
            user_id=user_id,
            token_hash=hash_token(token),
            label=label,
            expires_at=func.now() + lifetime,
        )
    )
    await session.flush()
    return token


async def create_user(
    session: AsyncSession,
    email: str,
    org_ids: Iterable[UUID] = (),
    name: str = "",
    *,
    role: str = Role.MEMBER,
    lifetime: timedelta = DEFAULT_TOKEN_LIFETIME,
) -> tuple[User, str]:
    """A user with ``role`` in ``org_ids``, with a first API token (plaintext returned once)."""
    user = User(email=email, name=name)
    session.add(user)
    await session.flush()
    for org_id in org_ids:
        await add_member(session, user.id, org_id, role)
    return user, await issue_token(session, user.id, label="initial", lifetime=lifetime)


async def find_user(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(select(User).where(User.email == email))


async def connect_integration(
    uow: UnitOfWork,
    org_id: UUID,
    platform: str,
    account_id: str,
    account_name: str,
    credentials: dict[str, Any],
    token_expires_at: datetime | None = None,
    refreshable: bool = False,
    currency: str | None = None,
    timezone: str = "UTC",
    account_extra: dict[str, Any] | None = None,
    *,
    cipher: TokenCipher | None = None,
) -> Integration:
    """Write the integrations row (credentials encrypted) and stage ``IntegrationConnected``
    in ``uow``; the caller commits. ``cipher`` defaults to the keys in CMIS_ENCRYPTION_KEYS."""
    cipher = cipher or TokenCipher(load_settings(CmisSettings).encryption_keys)
    values = {
        "platform": platform,
        "account_id": account_id,
        "account_name": account_name,
        "token_expires_at": token_expires_at,
        "refreshable": refreshable,
        "currency": currency,
        "timezone": timezone,
        "account_extra": account_extra or {},
    }
    return await integrations.connect(uow, cipher, org_id, values, credentials)
