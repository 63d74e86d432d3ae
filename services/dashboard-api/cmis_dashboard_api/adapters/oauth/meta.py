"""Meta: the login dialog, the code exchange and the long-lived token
(``grant_type=fb_exchange_token``, ~60 days, no refresh), then what the grant reaches: the
user's own ad accounts, each business's owned and client ad accounts (agencies), and the
pages with their own tokens and Instagram business accounts. No PKCE: Meta offers it only
in its OpenID Connect flow, which is still in testing. Tokens travel in the Authorization
header except in the exchange itself, whose shape puts the secret in the query."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from cmis_dashboard_api.adapters.oauth.http import MAX_PAGES, PlatformOAuth, field, parse_json
from cmis_dashboard_api.domain import oauth as domain

SCOPE = (
    "ads_read,read_insights,business_management,pages_read_engagement,"
    "instagram_basic,instagram_manage_insights"
)
AD_ACCOUNT_FIELDS = "account_id,name,currency,timezone_name,account_status"


class MetaOAuth(PlatformOAuth):
    platform = "meta"

    def _graph(self, path: str) -> str:
        return f"{self._c.meta_graph_base_url}{self._c.meta_api_version}/{path}"

    async def authorize(self, state: str, redirect_uri: str) -> domain.Authorization:
        query = {
            "client_id": self.app.id,
            "redirect_uri": redirect_uri,
            "state": state,
            "response_type": "code",
            "scope": SCOPE,
        }
        base = f"{self._c.meta_dialog_base_url}{self._c.meta_api_version}/dialog/oauth"
        return domain.Authorization(f"{base}?{urlencode(query)}")

    async def exchange(self, callback: domain.Callback) -> domain.Grant:
        app = {
            "client_id": self.app.id,
            "client_secret": self.app.secret.get_secret_value(),
        }
        url = self._graph("oauth/access_token")
        code = callback.params.get("code", "")
        params = {**app, "redirect_uri": callback.redirect_uri, "code": code}
        response = await self._http.send("GET", url, params=params)
        if response.status_code == 400:
            raise domain.OAuthFailure("code_rejected", "code exchange refused")
        short = field(parse_json(response), "access_token")
        params = {**app, "grant_type": "fb_exchange_token", "fb_exchange_token": str(short)}
        long_lived = await self._http.json("GET", url, params=params)
        lifetime = long_lived.get("expires_in")
        expires_at = callback.now + timedelta(seconds=int(lifetime)) if lifetime else None
        return domain.Grant({"access_token": str(field(long_lived, "access_token"))}, expires_at)

    async def _list(self, grant: domain.Grant, path: str, fields: str) -> list[Any]:
        headers = {"Authorization": f"Bearer {grant.credentials['access_token']}"}
        params: dict[str, str] = {"fields": fields, "limit": "100"}
        items: list[Any] = []
        for _ in range(MAX_PAGES):
            page = await self._http.json("GET", self._graph(path), headers=headers, params=params)
            items += field(page, "data")
            after = page.get("paging", {}).get("cursors", {}).get("after")
            if not page.get("paging", {}).get("next") or not after:
                break
            params = {**params, "after": after}  # our base URL, not the one in paging.next
        return items

    async def reach(self, grant: domain.Grant) -> domain.Reach:
        accounts = [
            self._ad_account(a, None)
            for a in await self._list(grant, "me/adaccounts", AD_ACCOUNT_FIELDS)
        ]
        for business in await self._list(grant, "me/businesses", "id,name"):
            business_id = str(field(business, "id"))
            accounts.append(
                domain.ChoosableAccount(
                    business_id, str(business.get("name") or business_id), "manager",
                    connectable=False,
                )
            )  # fmt: skip
            for edge in ("owned_ad_accounts", "client_ad_accounts"):
                listed = await self._list(grant, f"{business_id}/{edge}", AD_ACCOUNT_FIELDS)
                accounts += [self._ad_account(a, business_id) for a in listed]
        page_tokens: dict[str, str] = {}
        for page in await self._list(grant, "me/accounts", "id,name,access_token"):
            page_id = str(field(page, "id"))
            if page.get("access_token"):
                page_tokens[page_id] = str(page["access_token"])
            accounts.append(await self._page(grant, page_id, str(page.get("name") or page_id)))
        return domain.Reach(domain.dedupe(accounts), {"page_tokens": page_tokens})

    @staticmethod
    def _ad_account(item: Mapping[str, Any], business_id: str | None) -> domain.ChoosableAccount:
        account_id = str(item.get("account_id") or str(field(item, "id")).removeprefix("act_"))
        return domain.ChoosableAccount(
            account_id=account_id,
            name=str(item.get("name") or account_id),
            kind="ad_account",
            currency=item.get("currency"),
            timezone=str(item.get("timezone_name") or "UTC"),
            manager_id=business_id,
        )

    async def _page(self, grant: domain.Grant, page_id: str, name: str) -> domain.ChoosableAccount:
        headers = {"Authorization": f"Bearer {grant.credentials['access_token']}"}
        node = await self._http.json(
            "GET",
            self._graph(page_id),
            headers=headers,
            params={"fields": "instagram_business_account"},
        )
        instagram = (node.get("instagram_business_account") or {}).get("id")
        extra = {"ig_user_id": str(instagram)} if instagram else {}
        return domain.ChoosableAccount(page_id, name, "page", connectable=False, extra=extra)
