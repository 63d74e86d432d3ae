"""X Ads: three-legged OAuth 1.0a. ``request_token`` (with ``oauth_callback``, which carries
our signed state), the user at ``authorize?oauth_token=…``, ``access_token`` with the
callback's ``oauth_verifier`` (answers ``oauth_token``, ``oauth_token_secret`` and
``user_id``; the tokens never expire), then the ad accounts at ``/{version}/accounts``.
Requests are signed with :mod:`cmis_shared.oauth1`, the signing the X connector uses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from cmis_dashboard_api.adapters.oauth.http import MAX_PAGES, PlatformOAuth, field, parse_form
from cmis_dashboard_api.domain import oauth as domain
from cmis_shared.oauth1 import OAuth1Keys, authorization_header, encode_query


class TwitterOAuth(PlatformOAuth):
    platform = "twitter"

    def _keys(self, token: str = "", token_secret: str = "") -> OAuth1Keys:
        return OAuth1Keys(self.app.id, self.app.secret.get_secret_value(), token, token_secret)

    async def _signed_post(
        self, step: str, keys: OAuth1Keys, oauth_extra: Mapping[str, str]
    ) -> dict[str, str]:
        url = f"{self._c.x_oauth_base_url}{step}"
        header = authorization_header("POST", url, {}, keys, oauth_extra=oauth_extra)
        response = await self._http.send("POST", url, headers={"Authorization": header})
        if response.status_code in (400, 401):
            raise domain.OAuthFailure("code_rejected", f"{step} HTTP {response.status_code}")
        if response.status_code != 200:
            raise domain.OAuthFailure("platform_error", f"{step} HTTP {response.status_code}")
        return parse_form(response)

    async def authorize(self, state: str, redirect_uri: str) -> domain.Authorization:
        # The state rides in the callback URL: OAuth 1.0a has no state parameter.
        callback = domain.frontend_redirect(redirect_uri, {"state": state})
        try:
            answer = await self._signed_post(
                "request_token", self._keys(), {"oauth_callback": callback}
            )
        except domain.OAuthFailure as failure:
            raise domain.OAuthFailure("platform_error", failure.detail) from None
        token = str(field(answer, "oauth_token"))
        if answer.get("oauth_callback_confirmed") != "true":
            raise domain.OAuthFailure("platform_error", "oauth_callback not confirmed")
        kept = {
            "request_token": token,
            "request_token_secret": str(field(answer, "oauth_token_secret")),
        }
        url = f"{self._c.x_oauth_base_url}authorize?{urlencode({'oauth_token': token})}"
        return domain.Authorization(url, kept)

    async def exchange(self, callback: domain.Callback) -> domain.Grant:
        kept = callback.kept
        if callback.params.get("oauth_token") != kept.get("request_token"):
            raise domain.OAuthFailure("code_rejected", "the callback's request token is not ours")
        keys = self._keys(kept["request_token"], kept.get("request_token_secret", ""))
        verifier = {"oauth_verifier": callback.params.get("oauth_verifier", "")}
        answer = await self._signed_post("access_token", keys, verifier)
        credentials = {
            "access_token": str(field(answer, "oauth_token")),
            "token_secret": str(field(answer, "oauth_token_secret")),
        }
        user_id = answer.get("user_id")
        return domain.Grant(credentials, extra={"user_id": user_id} if user_id else {})

    async def reach(self, grant: domain.Grant) -> domain.Reach:
        keys = self._keys(
            str(grant.credentials["access_token"]), str(grant.credentials["token_secret"])
        )
        url = f"{self._c.x_ads_base_url}{self._c.x_ads_api_version}/accounts"
        query: dict[str, str] = {"count": "200"}
        items: list[Any] = []
        for _ in range(MAX_PAGES):
            header = authorization_header("GET", url, query, keys)
            page = await self._http.json(
                "GET", f"{url}?{encode_query(query)}", headers={"Authorization": header}
            )
            items += field(page, "data")
            if not page.get("next_cursor"):
                break
            query = {**query, "cursor": str(page["next_cursor"])}
        return domain.Reach(
            [
                domain.ChoosableAccount(
                    account_id=str(field(item, "id")),
                    name=str(item.get("name") or item["id"]),
                    kind="ad_account",
                    timezone=str(item.get("timezone") or "UTC"),
                )
                for item in items
                if not item.get("deleted")
            ]
        )
