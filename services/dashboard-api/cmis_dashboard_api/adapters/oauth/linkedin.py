"""LinkedIn: consent at ``oauth/v2/authorization``, the code grant at ``oauth/v2/accessToken``
(access 60 days, refresh 365 days; no PKCE for web applications: LinkedIn offers it to
native apps only), the ad accounts the member can use (``adAccountUsers`` with
``q=authenticatedUser``) and each account's name and currency (``adAccounts/{id}``).
LinkedIn reports in UTC, so the accounts' time zone is UTC."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from urllib.parse import urlencode

from cmis_dashboard_api.adapters.oauth.http import (
    OAuthHttp,
    field,
    grant_from_token_answer,
    parse_json,
)
from cmis_dashboard_api.domain.oauth import (
    Authorization,
    ChoosableAccount,
    Grant,
    OAuthFailure,
    Reach,
)
from cmis_dashboard_api.settings import OAuthClients

SCOPE = "r_ads r_ads_reporting r_organization_social"
ACCOUNT_URN = "urn:li:sponsoredAccount:"


class LinkedInOAuth:
    platform = "linkedin"

    def __init__(self, http: OAuthHttp, clients: OAuthClients) -> None:
        self._http = http
        self._c = clients

    def configured(self) -> bool:
        return bool(
            self._c.linkedin_client_id and self._c.linkedin_client_secret.get_secret_value()
        )

    async def authorize(self, state: str, redirect_uri: str) -> Authorization:
        query = {
            "response_type": "code",
            "client_id": self._c.linkedin_client_id,
            "redirect_uri": redirect_uri,
            "state": state,
            "scope": SCOPE,
        }
        return Authorization(f"{self._c.linkedin_authorize_url}?{urlencode(query)}")

    async def exchange(
        self,
        callback: Mapping[str, str],
        kept: Mapping[str, str],
        redirect_uri: str,
        now: datetime,
    ) -> Grant:
        form = {
            "grant_type": "authorization_code",
            "code": callback.get("code", ""),
            "client_id": self._c.linkedin_client_id,
            "client_secret": self._c.linkedin_client_secret.get_secret_value(),
            "redirect_uri": redirect_uri,
        }
        response = await self._http.send("POST", self._c.linkedin_token_url, data=form)
        if response.status_code in (400, 401):
            raise OAuthFailure("code_rejected", f"token endpoint HTTP {response.status_code}")
        if response.status_code != 200:
            raise OAuthFailure("platform_error", f"token endpoint HTTP {response.status_code}")
        return grant_from_token_answer(parse_json(response), now)

    async def reach(self, grant: Grant) -> Reach:
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
                ChoosableAccount(
                    account_id=account_id,
                    name=str(detail.get("name") or account_id),
                    kind="ad_account",
                    currency=detail.get("currency"),
                )
            )
        return Reach(accounts)
