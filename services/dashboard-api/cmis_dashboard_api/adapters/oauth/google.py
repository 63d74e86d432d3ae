"""Google Ads: consent with PKCE (``S256``) and ``access_type=offline`` (a refresh token),
the code grant at the token endpoint, then ``customers:listAccessibleCustomers`` and, for
each customer reached, its ``customer_client`` rows with ``login-customer-id`` set to it:
a manager account lists its clients (level 1), which connect with the manager as their
``login_customer_id``. Managers themselves are listed but not connectable (no metrics)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from cmis_dashboard_api.adapters.oauth.http import (
    MAX_PAGES,
    PlatformOAuth,
    code_grant,
    field,
)
from cmis_dashboard_api.domain import oauth as domain
from cmis_dashboard_api.domain.oauth_state import code_challenge, new_code_verifier

SCOPE = "https://www.googleapis.com/auth/adwords"
CLIENTS_QUERY = (
    "SELECT customer_client.client_customer, customer_client.id, "
    "customer_client.descriptive_name, customer_client.manager, customer_client.level, "
    "customer_client.currency_code, customer_client.time_zone "
    "FROM customer_client WHERE customer_client.level <= 1"
)


class GoogleOAuth(PlatformOAuth):
    platform = "google"

    async def authorize(self, state: str, redirect_uri: str) -> domain.Authorization:
        verifier = new_code_verifier()
        query = {
            "client_id": self.app.id,
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
        return domain.Authorization(
            f"{self._c.google_authorize_url}?{urlencode(query)}", {"code_verifier": verifier}
        )

    async def exchange(self, callback: domain.Callback) -> domain.Grant:
        verifier = {"code_verifier": callback.kept.get("code_verifier", "")}
        return await code_grant(self._http, self._c.google_token_url, self.app, callback, verifier)

    def _api(self, path: str) -> str:
        return f"{self._c.google_ads_base_url}{self._c.google_ads_api_version}/{path}"

    def _headers(self, grant: domain.Grant, login_customer_id: str | None = None) -> dict[str, str]:
        headers = {
            "Authorization": f"Bearer {grant.credentials['access_token']}",
            "developer-token": self._c.google_developer_token.get_secret_value(),
        }
        if login_customer_id:
            headers["login-customer-id"] = login_customer_id
        return headers

    async def reach(self, grant: domain.Grant) -> domain.Reach:
        listed = await self._http.json(
            "GET", self._api("customers:listAccessibleCustomers"), headers=self._headers(grant)
        )
        names = field(listed, "resourceNames")
        accounts: list[domain.ChoosableAccount] = []
        for name in names:
            customer = str(name).rsplit("/", 1)[-1]
            accounts += await self._customer_clients(grant, customer)
        # A client reached through its manager keeps the manager (the login customer id).
        accounts.sort(key=lambda account: account.manager_id is None)
        return domain.Reach(domain.dedupe(accounts))

    async def _customer_clients(
        self, grant: domain.Grant, customer: str
    ) -> list[domain.ChoosableAccount]:
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
    def _account(client: Mapping[str, Any], login_customer: str) -> domain.ChoosableAccount:
        account_id = str(field(client, "id"))
        manager = bool(client.get("manager"))
        via_manager = account_id != login_customer
        return domain.ChoosableAccount(
            account_id=account_id,
            name=str(client.get("descriptiveName") or account_id),
            kind="manager" if manager else "ad_account",
            currency=client.get("currencyCode"),
            timezone=str(client.get("timeZone") or "UTC"),
            manager_id=login_customer if via_manager else None,
            connectable=not manager,
            extra={"login_customer_id": login_customer} if via_manager else {},
        )
