"""Google Ads: consent with PKCE (``S256``) and ``access_type=offline`` (a refresh token),
the code grant at the token endpoint, then ``customers:listAccessibleCustomers`` and, for
each customer reached, its ``customer_client`` rows with ``login-customer-id`` set to it:
a manager account lists its clients (level 1), which connect with the manager as their
``login_customer_id``. Managers themselves are listed but not connectable (no metrics)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from cmis_dashboard_api.adapters.oauth.http import (
    MAX_PAGES,
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
    dedupe,
)
from cmis_dashboard_api.domain.oauth_state import code_challenge, new_code_verifier
from cmis_dashboard_api.settings import OAuthClients

SCOPE = "https://www.googleapis.com/auth/adwords"
CLIENTS_QUERY = (
    "SELECT customer_client.client_customer, customer_client.id, "
    "customer_client.descriptive_name, customer_client.manager, customer_client.level, "
    "customer_client.currency_code, customer_client.time_zone "
    "FROM customer_client WHERE customer_client.level <= 1"
)


class GoogleOAuth:
    platform = "google"

    def __init__(self, http: OAuthHttp, clients: OAuthClients) -> None:
        self._http = http
        self._c = clients

    def configured(self) -> bool:
        return bool(self._c.google_client_id and self._c.google_client_secret.get_secret_value())

    async def authorize(self, state: str, redirect_uri: str) -> Authorization:
        verifier = new_code_verifier()
        query = {
            "client_id": self._c.google_client_id,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": SCOPE,
            "access_type": "offline",
            "prompt": "consent",
            "include_granted_scopes": "true",
            "state": state,
            "code_challenge": code_challenge(verifier),
            "code_challenge_method": "S256",
        }
        return Authorization(
            f"{self._c.google_authorize_url}?{urlencode(query)}", {"code_verifier": verifier}
        )

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
            "client_id": self._c.google_client_id,
            "client_secret": self._c.google_client_secret.get_secret_value(),
            "redirect_uri": redirect_uri,
            "code_verifier": kept.get("code_verifier", ""),
        }
        response = await self._http.send("POST", self._c.google_token_url, data=form)
        if response.status_code in (400, 401):
            raise OAuthFailure("code_rejected", f"token endpoint HTTP {response.status_code}")
        if response.status_code != 200:
            raise OAuthFailure("platform_error", f"token endpoint HTTP {response.status_code}")
        return grant_from_token_answer(parse_json(response), now)

    def _api(self, path: str) -> str:
        return f"{self._c.google_ads_base_url}{self._c.google_ads_api_version}/{path}"

    def _headers(self, grant: Grant, login_customer_id: str | None = None) -> dict[str, str]:
        headers = {
            "Authorization": f"Bearer {grant.credentials['access_token']}",
            "developer-token": self._c.google_developer_token.get_secret_value(),
        }
        if login_customer_id:
            headers["login-customer-id"] = login_customer_id
        return headers

    async def reach(self, grant: Grant) -> Reach:
        listed = await self._http.json(
            "GET", self._api("customers:listAccessibleCustomers"), headers=self._headers(grant)
        )
        names = field(listed, "resourceNames")
        accounts: list[ChoosableAccount] = []
        for name in names:
            customer = str(name).rsplit("/", 1)[-1]
            accounts += await self._customer_clients(grant, customer)
        # A client reached through its manager keeps the manager (the login customer id).
        accounts.sort(key=lambda account: account.manager_id is None)
        return Reach(dedupe(accounts))

    async def _customer_clients(self, grant: Grant, customer: str) -> list[ChoosableAccount]:
        rows: list[Any] = []
        body: dict[str, str] = {"query": CLIENTS_QUERY}
        for _ in range(MAX_PAGES):
            page = await self._http.json(
                "POST",
                self._api(f"customers/{customer}/googleAds:search"),
                headers=self._headers(grant, customer),
                json=body,
            )
            rows += page.get("results", [])
            if not page.get("nextPageToken"):
                break
            body = {"query": CLIENTS_QUERY, "pageToken": page["nextPageToken"]}
        return [self._account(field(row, "customerClient"), customer) for row in rows]

    @staticmethod
    def _account(client: Mapping[str, Any], login_customer: str) -> ChoosableAccount:
        account_id = str(field(client, "id"))
        manager = bool(client.get("manager"))
        via_manager = account_id != login_customer
        return ChoosableAccount(
            account_id=account_id,
            name=str(client.get("descriptiveName") or account_id),
            kind="manager" if manager else "ad_account",
            currency=client.get("currencyCode"),
            timezone=str(client.get("timeZone") or "UTC"),
            manager_id=login_customer if via_manager else None,
            connectable=not manager,
            extra={"login_customer_id": login_customer} if via_manager else {},
        )
