"""TikTok: Marketing API under ``/tiktok/open_api/{version}/`` (``campaign/get/``,
``report/integrated/get/``, ``advertiser/info/``) with its HTTP-200 envelope, and the Open
API ``POST /tiktok/open/v2/video/list/`` for organic videos.

Open API videos belong to the token's user; the simulator keys them by the access token
string, so ``Dataset.posts("tiktok", <token>)`` is the expected result.

Connecting: consent at ``/tiktok/portal/auth`` (back with ``auth_code``), the exchange
``POST /tiktok/open_api/{version}/oauth2/access_token/`` (``data.advertiser_ids``: every
canonical account) and ``GET /tiktok/open_api/{version}/oauth2/advertiser/get/``. TikTok
has no PKCE; its error codes for a bad ``auth_code`` are not published, so the simulator
answers code 40001 in the usual HTTP-200 envelope."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from ..dataset import Campaign, DailyMetric, Post
from ..faults import Fault
from ..http import SimRequest, SimResponse, json_response
from ..oauth import CodeProblem
from .amounts import major_units
from .base import Route, SimulatedPlatform

_API = "/tiktok/open_api/"
_VIDEOS = "/tiktok/open/v2/video/list/"
_MAX_REPORT_DAYS = 30
_PORTAL = "/tiktok/portal/auth"
_TOKEN_LIFETIME_S = 10 * 365 * 86400  # long-lived: no refresh flow


def _envelope(data: Any, code: int = 0, message: str = "OK") -> SimResponse:
    return json_response({"code": code, "message": message, "request_id": "sim", "data": data})


class TikTokSim(SimulatedPlatform):
    name = "tiktok"
    prefix = "/tiktok/"
    drift_field = "campaign_id"

    def route(self, req: SimRequest) -> Route | None:
        if req.path == _VIDEOS and req.method == "POST":
            return Route("video_list", None, self._videos)
        if req.path == _PORTAL and req.method == "GET":
            return Route("portal_auth", None, self._portal, token_endpoint=True)
        endpoint = req.path[len(_API) :].split("/", 1)[-1]
        if req.path.startswith(_API) and endpoint == "oauth2/access_token/":
            if req.method != "POST":
                return None
            return Route("access_token", None, self._access_token, token_endpoint=True)
        if not req.path.startswith(_API) or req.method != "GET":
            return None
        handlers = {
            "campaign/get/": self._campaigns,
            "report/integrated/get/": self._report,
            "advertiser/info/": self._advertiser,
            "oauth2/advertiser/get/": self._advertisers_reached,
        }
        handler = handlers.get(endpoint)
        if handler is None:
            return None
        account = req.query.get("advertiser_id") or next(
            iter(json.loads(req.query.get("advertiser_ids", "[null]"))), None
        )
        return Route(endpoint.split("/")[0], account, handler)

    def access_token(self, req: SimRequest) -> str | None:
        return req.bearer() if req.path == _VIDEOS else req.headers.get("access-token")

    def _portal(self, req: SimRequest) -> SimResponse:
        q = req.query
        if not q.get("app_id") or not q.get("redirect_uri"):
            return _envelope({}, 40002, "app_id and redirect_uri are required.")

        denied = {"error": "access_denied"}
        return self.code_consent(req, q["app_id"], denied, code_keys=("auth_code", "code"))

    def _access_token(self, req: SimRequest) -> SimResponse:
        body = req.json()
        if not body.get("secret"):
            return _envelope({}, 40001, "secret is required.")
        issued = self.ctx.oauth.redeem(
            self.name, body.get("auth_code"), str(body.get("app_id") or "")
        )
        if isinstance(issued, CodeProblem):
            return _envelope({}, 40001, f"auth_code is invalid ({issued.value}).")
        return _envelope(
            {
                "access_token": self.ctx.tokens.mint(self.name, _TOKEN_LIFETIME_S),
                "advertiser_ids": self.ds.account_ids(self.name),
                "scope": [4, 5, 6],
            }
        )

    def _advertisers_reached(self, req: SimRequest) -> SimResponse:
        if not req.query.get("app_id") or not req.query.get("secret"):
            return _envelope({}, 40001, "app_id and secret are required.")
        return _envelope(
            {
                "list": [
                    {"advertiser_id": a, "advertiser_name": f"Sim Advertiser {a}"}
                    for a in self.ds.account_ids(self.name)
                ]
            }
        )

    def _paged(self, req: SimRequest, items: list[dict[str, Any]]) -> SimResponse:
        size = self.page_size(req.query.get("page_size"), 10, 1000)
        page = max(1, int(req.query.get("page", "1") or 1))
        total_pages = max(1, -(-len(items) // size))
        page_info = {
            "page": page,
            "page_size": size,
            "total_number": len(items),
            "total_page": total_pages,
        }
        return _envelope({"list": items[(page - 1) * size : page * size], "page_info": page_info})

    def _advertiser(self, req: SimRequest) -> SimResponse:
        ids = json.loads(req.query.get("advertiser_ids", "[]"))
        accounts = [self.ds.account("tiktok", str(i)) for i in ids]
        return _envelope(
            {
                "list": [
                    {"advertiser_id": a.account_id, "currency": a.currency, "timezone": a.timezone}
                    for a in accounts
                ]
            }
        )

    def _campaigns(self, req: SimRequest) -> SimResponse:
        account = req.query["advertiser_id"]
        return self._paged(req, [self._campaign(c) for c in self.ds.campaigns("tiktok", account)])

    @staticmethod
    def _campaign(c: Campaign) -> dict[str, Any]:
        mode = {"daily": "BUDGET_MODE_DAY", "lifetime": "BUDGET_MODE_TOTAL"}.get(
            c.budget_period or "", "BUDGET_MODE_INFINITE"
        )
        return {
            "campaign_id": c.external_id,
            "campaign_name": c.name,
            "operation_status": "ENABLE" if c.status == "active" else "DISABLE",
            "secondary_status": "CAMPAIGN_STATUS_DELETE"
            if c.status == "removed"
            else "CAMPAIGN_STATUS_ENABLE",
            "budget": float(c.budget_amount) if c.budget_amount is not None else 0.0,
            "budget_mode": mode,
        }

    def _report(self, req: SimRequest) -> SimResponse:
        since, until = (
            date.fromisoformat(req.query["start_date"]),
            date.fromisoformat(req.query["end_date"]),
        )
        if (until - since).days + 1 > _MAX_REPORT_DAYS:
            return _envelope({}, 40002, "The time range cannot exceed 30 days.")
        rows = [
            self._row(m)
            for m in self.ds.daily_metrics("tiktok", req.query["advertiser_id"], since, until)
        ]
        return self._paged(req, rows)

    @staticmethod
    def _row(m: DailyMetric) -> dict[str, Any]:
        if not m.impressions:  # TikTok's "no data" marker
            metrics = dict.fromkeys(
                ("spend", "impressions", "clicks", "conversion", "total_complete_payment_rate"), "-"
            )
        else:
            metrics = {
                "spend": major_units(m.spend_minor, m.exponent),
                "impressions": str(m.impressions),
                "clicks": str(m.clicks),
                "conversion": str(m.conversions),
                "total_complete_payment_rate": major_units(m.conversion_value_minor, m.exponent),
            }
        return {
            "dimensions": {
                "campaign_id": m.campaign_external_id,
                "stat_time_day": f"{m.day.isoformat()} 00:00:00",
            },
            "metrics": metrics,
        }

    def _videos(self, req: SimRequest) -> SimResponse:
        body = req.json()
        size = min(20, max(1, int(body.get("max_count", 10))), self.ctx.max_page_size)
        start = int(body.get("cursor") or 0)
        posts = self.ds.posts("tiktok", self.access_token(req) or "")
        batch = [self._video(p) for p in posts[start : start + size]]
        data = {
            "videos": batch,
            "cursor": start + len(batch),
            "has_more": start + size < len(posts),
        }
        return json_response(
            {"data": data, "error": {"code": "ok", "message": "", "log_id": "sim"}}
        )

    @staticmethod
    def _video(p: Post) -> dict[str, Any]:
        return {
            "id": p.external_id,
            "title": p.text,
            "video_description": p.text,
            "create_time": int(p.published_at.timestamp()),
            "like_count": p.likes,
            "comment_count": p.comments,
            "share_count": p.shares,
            "view_count": p.impressions,
        }

    @staticmethod
    def _open_api_error(
        status: int, code: str, message: str, retry_after: float | None = None
    ) -> SimResponse:
        extra = [(b"retry-after", str(int(retry_after)).encode())] if retry_after else None
        return json_response(
            {"data": {}, "error": {"code": code, "message": message, "log_id": "sim"}},
            status,
            extra,
        )

    def rate_limited(self, fault: Fault, req: SimRequest) -> SimResponse:
        if req.path == _VIDEOS:
            return self._open_api_error(
                429, "rate_limit_exceeded", "Rate limit exceeded.", fault.retry_after
            )
        return _envelope({}, 40100, "Too many requests. Please retry in some time.")

    def expired(self, req: SimRequest) -> SimResponse:
        if req.path == _VIDEOS:
            return self._open_api_error(
                401, "access_token_invalid", "The access token has expired."
            )
        return _envelope({}, 40102, "The access token has expired.")

    def revoked(self, req: SimRequest) -> SimResponse:
        if req.path == _VIDEOS:
            return self._open_api_error(
                401, "access_token_invalid", "The access token is invalid or not found."
            )
        return _envelope({}, 40105, "The access token is invalid or has been revoked.")

    def server_error(self, fault: Fault, req: SimRequest) -> SimResponse:
        if req.path == _VIDEOS:
            return self._open_api_error(fault.status, "internal_error", "Something went wrong.")
        return _envelope({}, 50000, "System error, please try again later.")
