"""TikTok Marketing API: consent on the business portal (back with ``auth_code``), the
exchange ``POST oauth2/access_token/`` (long-lived token, no refresh, no PKCE), the
advertisers the grant reaches (``oauth2/advertiser/get/``) and their currency and time
zone (``advertiser/info/``). Every answer is the HTTP-200 envelope ``{"code", "data"}``."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from cmis_dashboard_api.adapters.oauth.http import PlatformOAuth, field, parse_json
from cmis_dashboard_api.domain import oauth as domain

INFO_BATCH = 100


def _data(body: Any, failure: str) -> Any:
    if field(body, "code") != 0:
        raise domain.OAuthFailure(failure, f"TikTok code {body.get('code')}")
    return field(body, "data")


class TikTokOAuth(PlatformOAuth):
    platform = "tiktok"

    def _app_params(self) -> dict[str, str]:
        return {"app_id": self.app.id, "secret": self.app.secret.get_secret_value()}

    def _api(self, path: str) -> str:
        return f"{self._c.tiktok_business_base_url}{self._c.tiktok_api_version}/{path}"

    async def authorize(self, state: str, redirect_uri: str) -> domain.Authorization:
        query = {"app_id": self.app.id, "state": state, "redirect_uri": redirect_uri}
        return domain.Authorization(f"{self._c.tiktok_portal_url}?{urlencode(query)}")

    async def exchange(self, callback: domain.Callback) -> domain.Grant:
        code = callback.params.get("auth_code") or callback.params.get("code", "")
        body = {**self._app_params(), "auth_code": code}
        response = await self._http.send("POST", self._api("oauth2/access_token/"), json=body)
        data = _data(parse_json(response), "code_rejected")
        return domain.Grant({"access_token": str(field(data, "access_token"))})

    async def reach(self, grant: domain.Grant) -> domain.Reach:
        headers = {"Access-Token": str(grant.credentials["access_token"])}
        app = self._app_params()
        listed = _data(
            await self._http.json(
                "GET", self._api("oauth2/advertiser/get/"), headers=headers, params=app
            ),
            "platform_error",
        )
        advertisers = {str(field(a, "advertiser_id")): a for a in field(listed, "list")}
        ids = list(advertisers)
        info: dict[str, Any] = {}
        for start in range(0, len(ids), INFO_BATCH):
            batch = json.dumps(ids[start : start + INFO_BATCH])
            answer = _data(
                await self._http.json(
                    "GET",
                    self._api("advertiser/info/"),
                    headers=headers,
                    params={"advertiser_ids": batch},
                ),
                "platform_error",
            )
            info.update({str(field(a, "advertiser_id")): a for a in field(answer, "list")})
        return domain.Reach(
            [
                domain.ChoosableAccount(
                    account_id=advertiser_id,
                    name=str(advertisers[advertiser_id].get("advertiser_name") or advertiser_id),
                    kind="ad_account",
                    currency=info.get(advertiser_id, {}).get("currency"),
                    timezone=str(info.get(advertiser_id, {}).get("timezone") or "UTC"),
                )
                for advertiser_id in ids
            ]
        )
