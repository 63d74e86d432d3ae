"""Connecting accounts through a platform's OAuth consent.

``start`` signs a state bound to the user, organization, platform and an expiry, keeps the
flow (return URL, PKCE verifier or X request token secret) under the state's nonce and
answers the platform's consent URL. ``callback`` (no bearer token: the signed state
authenticates) takes the flow once, exchanges the code on the server, lists what the grant
reaches and stores it as a pending grant; the browser goes back to the frontend with the
pending grant's id, or with an error code. ``connect`` turns the chosen accounts into
integrations through the same repository as ``POST /integrations`` (credentials encrypted,
``integration.connected`` staged in the outbox per integration).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from uuid import UUID

import structlog

from cmis_dashboard_api.domain import oauth as domain
from cmis_dashboard_api.domain.oauth_state import new_claims, sign_state, verify_state
from cmis_dashboard_api.ports import FlowStore, OAuthPlatform, Principal, UnitOfWorkFactory
from cmis_dashboard_api.schemas.orgs import IntegrationOut
from cmis_shared.clock import Clock

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class OAuthPolicy:
    state_key: bytes
    public_base_url: str
    return_urls: Sequence[str]
    state_lifetime: timedelta
    pending_lifetime: timedelta

    def callback_url(self, platform: str) -> str:
        return f"{self.public_base_url}/api/oauth/{platform}/callback"


@dataclass(frozen=True)
class Started:
    authorization_url: str
    expires_at: datetime


class OAuthConnect:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        flows: FlowStore,
        platforms: Mapping[str, OAuthPlatform],
        policy: OAuthPolicy,
        clock: Clock,
    ) -> None:
        self._uow = uow
        self._flows = flows
        self._platforms = platforms
        self._policy = policy
        self._clock = clock

    def _platform(self, platform: str) -> OAuthPlatform:
        adapter = self._platforms.get(platform)
        if adapter is None or not adapter.configured():
            raise domain.PlatformNotConfigured(platform)
        return adapter

    async def start(self, user: Principal, org_id: UUID, platform: str, return_url: str) -> Started:
        """Raises ReturnUrlRefused, PlatformNotConfigured, or OAuthFailure (X's request
        token step may fail)."""
        if not domain.return_url_allowed(return_url, self._policy.return_urls):
            raise domain.ReturnUrlRefused(return_url)
        adapter = self._platform(platform)
        claims = new_claims(
            user.user_id, org_id, platform, self._clock(), self._policy.state_lifetime
        )
        state = sign_state(self._policy.state_key, claims)
        authorization = await adapter.authorize(state, self._policy.callback_url(platform))
        flow = {
            "user_id": str(user.user_id),
            "org_id": str(org_id),
            "platform": platform,
            "return_url": return_url,
            "kept": dict(authorization.kept),
        }
        ttl = int(self._policy.state_lifetime.total_seconds())
        await self._flows.keep(claims.nonce, flow, ttl)
        log.info("oauth consent started", org_id=str(org_id), platform=platform)
        return Started(authorization.url, claims.expires_at)

    async def callback(self, platform: str, params: Mapping[str, str]) -> str:
        """The frontend URL to send the browser to. Raises OAuthFailure when the state is
        not trustworthy (no return URL can be trusted then either)."""
        now = self._clock()
        claims = verify_state(self._policy.state_key, params.get("state"), platform, now)
        flow = await self._flows.take(claims.nonce)
        if flow is None:
            raise domain.OAuthFailure("state_used")
        bound = (flow.get("user_id"), flow.get("org_id"), flow.get("platform"))
        if bound != (str(claims.user_id), str(claims.org_id), platform):
            raise domain.OAuthFailure("invalid_state")
        return_url = str(flow["return_url"])
        logged = log.bind(org_id=str(claims.org_id), platform=platform)
        if domain.is_refusal(params):
            logged.info("oauth consent refused")
            return domain.frontend_redirect(
                return_url, {"platform": platform, "oauth_error": "access_denied"}
            )
        kept = flow.get("kept")
        try:
            adapter = self._platform(platform)
            redirect_uri = self._policy.callback_url(platform)
            grant = await adapter.exchange(
                domain.Callback(params, kept if isinstance(kept, dict) else {}, redirect_uri, now)
            )
            reach = await adapter.reach(grant)
        except domain.OAuthFailure as failure:
            logged.warning("oauth exchange failed", code=failure.code, detail=failure.detail)
            return domain.frontend_redirect(
                return_url, {"platform": platform, "oauth_error": failure.code}
            )
        except domain.PlatformNotConfigured:
            return domain.frontend_redirect(
                return_url, {"platform": platform, "oauth_error": "platform_error"}
            )
        grant = replace(grant, credentials={**grant.credentials, **reach.credentials})
        new = domain.NewPendingGrant(
            claims.org_id,
            claims.user_id,
            platform,
            grant,
            reach.accounts,
            now + self._policy.pending_lifetime,
        )
        async with self._uow() as uow:
            pending_id = await uow.oauth_grants.add(new)
            await uow.commit()
        logged.info("oauth grant pending", accounts=len(reach.accounts))
        return domain.frontend_redirect(
            return_url, {"platform": platform, "oauth_pending": str(pending_id)}
        )

    async def pending(
        self, user: Principal, org_id: UUID, grant_id: UUID
    ) -> domain.PendingGrant | None:
        async with self._uow() as uow:
            return await uow.oauth_grants.get(org_id, user.user_id, grant_id, self._clock())

    async def connect(
        self,
        user: Principal,
        org_id: UUID,
        grant_id: UUID,
        chosen: Sequence[str],
        pages: Mapping[str, str],
    ) -> list[IntegrationOut] | None:
        """None when the grant is missing, expired, used or another user's. Raises
        ChoiceError for accounts the grant does not offer."""
        async with self._uow() as uow:
            pending = await uow.oauth_grants.get(
                org_id, user.user_id, grant_id, self._clock(), lock=True
            )
            if pending is None:
                return None
            made = domain.integrations_for(
                pending.platform, pending.grant, pending.accounts, chosen, pages
            )
            connected = [
                await uow.integrations.connect(org_id, new.values, new.credentials) for new in made
            ]
            await uow.oauth_grants.remove(pending.id)
            await uow.commit()
        log.info(
            "oauth accounts connected",
            org_id=str(org_id),
            platform=pending.platform,
            integrations=len(connected),
        )
        return connected
