"""LinkedIn: consent at ``oauth/v2/authorization``, the code grant at ``oauth/v2/accessToken``
(access 60 days, refresh 365 days; no PKCE for web applications: LinkedIn offers it to
native apps only), the ad accounts the member can use (``adAccountUsers`` with
``q=authenticatedUser``) and each account's name and currency (``adAccounts/{id}``).
LinkedIn reports in UTC, so the accounts' time zone is UTC."""

from __future__ import annotations

from urllib.parse import urlencode

from cmis_dashboard_api.adapters.oauth.http import (
    PlatformOAuth,
    code_grant,
    field,
)
from cmis_dashboard_api.domain import oauth as domain

SCOPE = "r_ads r_ads_reporting r_organization_social"
ACCOUNT_URN = "urn:li:sponsoredAccount:"


class LinkedInOAuth(PlatformOAuth):
    platform = "linkedin"

    async def authorize(self, state: str, redirect_uri: str) -> domain.Authorization:
        query = {
            "response_type": "code",
            "client_id": self.app.id,
            "redirect_uri": redirect_uri,
            "state": state,
            "scope": SCOPE,
        }
        return domain.Authorization(f"{self._c.linkedin_authorize_url}?{urlencode(query)}")

    async def exchange(self, callback: domain.Callback) -> domain.Grant:
        return await code_grant(self._http, self._c.linkedin_token_url, self.app, callback)

    async def reach(self, grant: domain.Grant) -> domain.Reach:
        headers = {
            "Authorization": f"Bearer {grant.credentials['access_token']}",
            "Linkedin-Version": self._c.linkedin_version,
            "X-Restli-Protocol-Version": "2.0.0",
        }
        base = self._c.linkedin_base_url
        users = await self._http.json(
            "GET", f"{base}adAccountUsers", headers=headers, params={"q": "authenticatedUser"}
        )
        accounts = []
        for element in field(users, "elements"):
            account_id = str(field(element, "account")).removeprefix(ACCOUNT_URN)
            detail = await self._http.json("GET", f"{base}adAccounts/{account_id}", headers=headers)
            accounts.append(
                domain.ChoosableAccount(
                    account_id=account_id,
                    name=str(detail.get("name") or account_id),
                    kind="ad_account",
                    currency=detail.get("currency"),
                )
            )
        return domain.Reach(accounts)
