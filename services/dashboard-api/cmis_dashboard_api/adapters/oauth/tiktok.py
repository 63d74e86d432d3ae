"""TikTok Marketing API: consent on the business portal (back with ``auth_code``), the
exchange ``POST oauth2/access_token/`` (long-lived token, no refresh, no PKCE), the
advertisers the grant reaches (``oauth2/advertiser/get/``) and their currency and time
zone (``advertiser/info/``). Every answer is the HTTP-200 envelope ``{"code", "data"}``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from cmis_dashboard_api.adapters.oauth.http import OAuthHttp, field, parse_json
from cmis_dashboard_api.domain.oauth import (
    Authorization,
    ChoosableAccount,
    Grant,
    OAuthFailure,
    Reach,
)
from cmis_dashboard_api.settings import OAuthClients

INFO_BATCH = 100


def _data(body: Any, failure: str) -> Any:
    if field(body, "code") != 0:
        raise OAuthFailure(failure, f"TikTok code {body.get('code')}")
    return field(body, "data")


class TikTokOAuth:
    platform = "tiktok"

    def __init__(self, http: OAuthHttp, clients: OAuthClients) -> None:
        self._http = http
        self._c = clients

    def configured(self) -> bool:
        return bool(self._c.tiktok_app_id and self._c.tiktok_app_secret.get_secret_value())

    def _api(self, path: str) -> str:
        return f"{self._c.tiktok_business_base_url}{self._c.tiktok_api_version}/{path}"

    async def authorize(self, state: str, redirect_uri: str) -> Authorization:
        query = {"app_id": self._c.tiktok_app_id, "state": state, "redirect_uri": redirect_uri}
        return Authorization(f"{self._c.tiktok_portal_url}?{urlencode(query)}")

    async def exchange(
        self,
        callback: Mapping[str, str],
        kept: Mapping[str, str],
        redirect_uri: str,
        now: datetime,
    ) -> Grant:
        body = {
            "app_id": self._c.tiktok_app_id,
            "secret": self._c.tiktok_app_secret.get_secret_value(),
            "auth_code": callback.get("auth_code") or callback.get("code", ""),
        }
        response = await self._http.send("POST", self._api("oauth2/access_token/"), json=body)
        data = _data(parse_json(response), "code_rejected")
        return Grant({"access_token": str(field(data, "access_token"))})

    async def reach(self, grant: Grant) -> Reach:
        headers = {"Access-Token": str(grant.credentials["access_token"])}
        app = {
            "app_id": self._c.tiktok_app_id,
            "secret": self._c.tiktok_app_secret.get_secret_value(),
        }
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
        return Reach(
            [
                ChoosableAccount(
                    account_id=advertiser_id,
                    name=str(advertisers[advertiser_id].get("advertiser_name") or advertiser_id),
                    kind="ad_account",
                    currency=info.get(advertiser_id, {}).get("currency"),
                    timezone=str(info.get(advertiser_id, {}).get("timezone") or "UTC"),
                )
                for advertiser_id in ids
            ]
        )
