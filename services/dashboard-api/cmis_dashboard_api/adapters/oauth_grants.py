"""Pending OAuth grants (``oauth_pending_grants``): stored by the callback, read and used
once by the user who started the consent, in their organization, before they expire.
Tokens are encrypted with the integrations' cipher; the account list holds no secrets."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, func, select

from cmis_dashboard_api.domain.oauth import ChoosableAccount, Grant, NewPendingGrant, PendingGrant
from cmis_shared.crypto import TokenCipher
from cmis_shared.db.models import OAuthPendingGrant
from cmis_shared.uow import UnitOfWork


class SqlOAuthGrants:
    def __init__(self, uow: UnitOfWork, cipher: TokenCipher) -> None:
        self._uow = uow
        self._cipher = cipher

    async def add(self, new: NewPendingGrant) -> UUID:
        # Expired grants go as new ones come: no sweeper process needed for a small table.
        await self._uow.session.execute(
            delete(OAuthPendingGrant).where(OAuthPendingGrant.expires_at <= func.now())
        )
        row = OAuthPendingGrant(
            org_id=new.org_id,
            user_id=new.user_id,
            platform=new.platform,
            credentials_encrypted=self._cipher.encrypt(dict(new.grant.credentials)),
            token_expires_at=new.grant.token_expires_at,
            refreshable=new.grant.refreshable,
            accounts=[account.as_dict() for account in new.accounts],
            grant_extra=dict(new.grant.extra),
            expires_at=new.expires_at,
        )
        self._uow.session.add(row)
        await self._uow.session.flush()
        return row.id

    async def get(
        self, org_id: UUID, user_id: UUID, grant_id: UUID, now: datetime, *, lock: bool = False
    ) -> PendingGrant | None:
        query = select(OAuthPendingGrant).where(
            OAuthPendingGrant.id == grant_id,
            OAuthPendingGrant.org_id == org_id,
            OAuthPendingGrant.user_id == user_id,
            OAuthPendingGrant.expires_at > now,
        )
        row = await self._uow.session.scalar(query.with_for_update() if lock else query)
        if row is None:
            return None
        grant = Grant(
            self._cipher.decrypt(row.credentials_encrypted),
            row.token_expires_at,
            row.refreshable,
            dict(row.grant_extra),
        )
        accounts = [ChoosableAccount.from_dict(item) for item in row.accounts]
        return PendingGrant(row.id, row.platform, grant, accounts, row.expires_at)

    async def remove(self, grant_id: UUID) -> None:
        await self._uow.session.execute(
            delete(OAuthPendingGrant).where(OAuthPendingGrant.id == grant_id)
        )
