"""X: Ads API under ``/twitter/ads/{version}/`` (``accounts/{id}/campaigns``,
``stats/accounts/{id}``) and API v2 under ``/twitter/api/2/users/{id}/tweets``.

OAuth 1.0a: the simulator reads ``oauth_token`` from the ``Authorization: OAuth ...``
header and checks it like any token; it does not verify the HMAC signature (the connector's
signing is unit-tested against the published example instead).

Connecting (three-legged OAuth 1.0a): ``POST /twitter/oauth/request_token`` (with
``oauth_callback``), the user at ``GET /twitter/oauth/authorize?oauth_token=…`` (back with
``oauth_token`` and ``oauth_verifier``, or ``denied=…``), ``POST /twitter/oauth/access_token``
(``oauth_verifier``; answers ``oauth_token``, ``oauth_token_secret``, ``user_id``), and the
ad accounts at ``GET /twitter/ads/{version}/accounts`` (every canonical account). The OAuth
endpoints answer form-encoded text, as on the real API."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from ..dataset import Campaign, DailyMetric, Post
from ..faults import Fault
from ..http import Headers, SimRequest, SimResponse, json_response, offset_from, offset_token
from ..oauth import CodeProblem, IssuedCode, form_response
from .base import Route, SimContext, SimulatedPlatform

_CAMPAIGNS = re.compile(r"^/twitter/ads/[^/]+/accounts/(\w+)/campaigns$")
_STATS = re.compile(r"^/twitter/ads/[^/]+/stats/accounts/(\w+)$")
_TWEETS = re.compile(r"^/twitter/api/2/users/(\w+)/tweets$")
_ACCOUNTS = re.compile(r"^/twitter/ads/[^/]+/accounts$")
_TOKEN = re.compile(r'oauth_token="([^"]*)"')
_OAUTH_PARAM = re.compile(r'(oauth_\w+)="([^"]*)"')
USER_ID = "1500000000000000001"
_TOKEN_LIFETIME_S = 10 * 365 * 86400  # OAuth 1.0a tokens do not expire
_STATUS = {"active": "ACTIVE", "paused": "PAUSED", "draft": "DRAFT", "removed": "PAUSED"}
_LIMIT = 2000


def _iso_utc(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")


def _errors(status: int, code: str, message: str, extra: Headers | None = None) -> SimResponse:
    return json_response(
        {"errors": [{"code": code, "message": message}], "request": {"params": {}}}, status, extra
    )


def _call_with_account(
    handler: Callable[[SimRequest, str], SimResponse], account: str, req: SimRequest
) -> SimResponse:
    return handler(req, account)


class TwitterSim(SimulatedPlatform):
    name = "twitter"
    prefix = "/twitter/"
    drift_field = "id_data"

    def __init__(self, ctx: SimContext) -> None:
        super().__init__(ctx)
        self._verifiers: dict[str, str] = {}  # request token -> the verifier it was given

    def route(self, req: SimRequest) -> Route | None:
        oauth = {
            ("POST", "/twitter/oauth/request_token"): self._request_token,
            ("GET", "/twitter/oauth/authorize"): self._authorize,
            ("POST", "/twitter/oauth/access_token"): self._access_token,
        }.get((req.method, req.path))
        if oauth is not None:
            return Route(req.path.rsplit("/", 1)[-1], None, oauth, token_endpoint=True)
        if req.method != "GET":
            return None
        if _ACCOUNTS.match(req.path):
            return Route("accounts", None, self._accounts)
        routes: tuple[
            tuple[str, re.Pattern[str], Callable[[SimRequest, str], SimResponse]], ...
        ] = (
            ("campaigns", _CAMPAIGNS, self._campaigns),
            ("stats", _STATS, self._stats),
            ("tweets", _TWEETS, self._tweets),
        )
        for name, pattern, handler in routes:
            if match := pattern.match(req.path):
                return Route(
                    name, match.group(1), partial(_call_with_account, handler, match.group(1))
                )
        return None

    def access_token(self, req: SimRequest) -> str | None:
        match = _TOKEN.search(req.headers.get("authorization", ""))
        return match.group(1) if match else req.bearer()

    # --- connecting ---------------------------------------------------------------

    @staticmethod
    def _oauth_params(req: SimRequest) -> dict[str, str]:
        header = dict(
            (key, unquote(value))
            for key, value in _OAUTH_PARAM.findall(req.headers.get("authorization", ""))
        )
        return {**req.query, **req.form(), **header}

    def _request_token(self, req: SimRequest) -> SimResponse:
        params = self._oauth_params(req)
        callback, consumer = params.get("oauth_callback"), params.get("oauth_consumer_key")
        if not callback or not consumer:
            return _errors(401, "32", "Could not authenticate you.")
        secret = f"sim-request-secret-{self.ctx.tokens.serial()}"
        token = self.ctx.oauth.issue(
            self.name, consumer, callback, prefix="sim-request", secret=secret
        )
        return form_response(
            {"oauth_token": token, "oauth_token_secret": secret, "oauth_callback_confirmed": "true"}
        )

    def _authorize(self, req: SimRequest) -> SimResponse:
        token = req.query.get("oauth_token", "")
        issued = self.ctx.oauth.peek(self.name, token)
        if issued is None:
            return _errors(400, "89", "Invalid or expired token.")

        def approved() -> dict[str, str]:
            verifier = self.ctx.oauth.issue(
                self.name, issued.client_id, issued.redirect_uri, prefix="sim-verifier"
            )
            self._verifiers[token] = verifier
            return {"oauth_token": token, "oauth_verifier": verifier}

        return self.consent(req, issued.redirect_uri, approved, {"denied": token})

    def _access_token(self, req: SimRequest) -> SimResponse:
        params = self._oauth_params(req)
        token, verifier = params.get("oauth_token", ""), params.get("oauth_verifier")
        issued = self.ctx.oauth.redeem(self.name, token, None)
        expected = self._verifiers.pop(token, None)
        spent = self.ctx.oauth.redeem(self.name, verifier, None) if verifier else None
        if (
            isinstance(issued, CodeProblem)
            or verifier != expected
            or not isinstance(spent, IssuedCode)
        ):
            return form_response({"error": "Invalid oauth_verifier parameter"}, 401)
        return form_response(
            {
                "oauth_token": self.ctx.tokens.mint(self.name, _TOKEN_LIFETIME_S),
                "oauth_token_secret": f"sim-token-secret-{self.ctx.tokens.serial()}",
                "user_id": USER_ID,
                "screen_name": "sim_advertiser",
            }
        )

    def _accounts(self, req: SimRequest) -> SimResponse:
        data = [
            {
                "id": account,
                "name": f"Sim Ads {account}",
                "timezone": self.ds.account(self.name, account).timezone,
                "business_name": "Sim Advertiser",
                "approval_status": "ACCEPTED",
                "deleted": False,
            }
            for account in self.ds.account_ids(self.name)
        ]
        return json_response({"data": data, "next_cursor": None, "request": {"params": {}}})

    def usage_headers(self, pct: int) -> Headers:
        remaining = str(max(0, _LIMIT - _LIMIT * pct // 100)).encode()
        reset = str(int(time.time()) + 900).encode()
        return [
            (b"x-rate-limit-limit", str(_LIMIT).encode()),
            (b"x-rate-limit-remaining", remaining),
            (b"x-rate-limit-reset", reset),
        ]

    def _campaigns(self, req: SimRequest, account: str) -> SimResponse:
        tz = ZoneInfo(self.ds.account("twitter", account).timezone)
        campaigns = self.ds.campaigns("twitter", account)
        if req.query.get("with_deleted") != "true":
            campaigns = tuple(c for c in campaigns if c.status != "removed")
        items = [self._campaign(c, tz) for c in campaigns]
        size = self.page_size(req.query.get("count"), 200, 1000)
        start = offset_from(req.query.get("cursor"))
        cursor = offset_token(start + size) if start + size < len(items) else None
        return json_response(
            {
                "data": items[start : start + size],
                "next_cursor": cursor,
                "request": {"params": {"account_id": account}},
                "total_count": len(items),
            }
        )

    @staticmethod
    def _campaign(c: Campaign, tz: ZoneInfo) -> dict[str, Any]:
        micro = None if c.budget_minor is None else c.budget_minor * 10 ** (6 - c.exponent)

        def midnight(d: date | None) -> str | None:
            return _iso_utc(datetime(d.year, d.month, d.day, tzinfo=tz)) if d else None

        return {
            "id": c.external_id,
            "name": c.name,
            "entity_status": _STATUS[c.status],
            "deleted": c.status == "removed",
            "currency": c.currency,
            "daily_budget_amount_local_micro": micro if c.budget_period == "daily" else None,
            "total_budget_amount_local_micro": micro if c.budget_period == "lifetime" else None,
            "start_time": midnight(c.start_date),
            "end_time": midnight(c.end_date),
        }

    def _stats(self, req: SimRequest, account: str) -> SimResponse:
        tz = ZoneInfo(self.ds.account("twitter", account).timezone)
        start = datetime.fromisoformat(req.query["start_time"]).astimezone(tz).date()
        end = datetime.fromisoformat(req.query["end_time"]).astimezone(tz).date()
        days = (end - start).days
        if not 1 <= days <= 7:
            return _errors(
                400,
                "INVALID_TIME_WINDOW",
                "The time window must be between 1 and 7 days for synchronous stats.",
            )
        wanted = req.query.get("entity_ids", "").split(",")
        acct = self.ds.account("twitter", account)
        known = {c.external_id for c in self.ds.campaigns("twitter", account)}
        rows = {
            (r.campaign_external_id, r.day): r
            for r in self.ds.daily_metrics("twitter", account, start, end - timedelta(days=1))
        }

        def day_rows(cid: str) -> list[DailyMetric]:
            empty = DailyMetric(cid, start, acct.currency, acct.exponent, 0, 0, 0, Decimal(0), 0)
            return [rows.get((cid, start + timedelta(days=i)), empty) for i in range(days)]

        data = [
            {"id": cid, "id_data": [{"segment": None, "metrics": self._series(day_rows(cid))}]}
            for cid in wanted
            if cid in known
        ]
        return json_response(
            {
                "data_type": "stats",
                "time_series_length": days,
                "data": data,
                "request": {"params": dict(req.query)},
            }
        )

    @staticmethod
    def _series(rows: list[DailyMetric]) -> dict[str, Any]:
        def series(values: list[int]) -> list[int] | None:
            return values if any(values) else None  # X sends null for "no data at all"

        micro = [r.spend_minor * 10 ** (6 - r.exponent) for r in rows]
        value = [r.conversion_value_minor * 10 ** (6 - r.exponent) for r in rows]
        conversions = [int(r.conversions) for r in rows]
        return {
            "impressions": series([r.impressions for r in rows]),
            "clicks": series([r.clicks for r in rows]),
            "billed_charge_local_micro": series(micro),
            "conversion_purchases": {
                "metric": series(conversions),
                "order_quantity": series(conversions),
                "sale_amount": series(value),
            },
        }

    def _tweets(self, req: SimRequest, user: str) -> SimResponse:
        posts: tuple[Post, ...] = self.ds.posts("twitter", user)
        if since := req.query.get("start_time"):
            posts = tuple(p for p in posts if p.published_at >= datetime.fromisoformat(since))
        size = self.page_size(req.query.get("max_results"), 10, 100)
        start = offset_from(req.query.get("pagination_token"))
        items = [
            {
                "id": p.external_id,
                "text": p.text,
                "created_at": p.published_at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "public_metrics": {
                    "like_count": p.likes,
                    "reply_count": p.comments,
                    "retweet_count": p.shares // 2,
                    "quote_count": p.shares - p.shares // 2,
                    "impression_count": p.impressions,
                    "bookmark_count": 0,
                },
            }
            for p in posts[start : start + size]
        ]
        meta: dict[str, Any] = {"result_count": len(items)}
        if start + size < len(posts):
            meta["next_token"] = offset_token(start + size)
        return json_response({"data": items, "meta": meta} if items else {"meta": meta})

    def rate_limited(self, fault: Fault, req: SimRequest) -> SimResponse:
        reset = str(int(time.time() + fault.retry_after)).encode()
        headers = [
            (b"x-rate-limit-limit", str(_LIMIT).encode()),
            (b"x-rate-limit-remaining", b"0"),
            (b"x-rate-limit-reset", reset),
        ]
        return _errors(429, "TOO_MANY_REQUESTS", "Rate limit exceeded", headers)

    def expired(self, req: SimRequest) -> SimResponse:
        return self.revoked(req)  # OAuth 1.0a tokens do not expire

    def revoked(self, req: SimRequest) -> SimResponse:
        return _errors(401, "UNAUTHORIZED_ACCESS", "This request is not properly authenticated")

    def server_error(self, fault: Fault, req: SimRequest) -> SimResponse:
        return _errors(
            fault.status,
            "SERVICE_UNAVAILABLE",
            "Service unavailable due to request timeout; please try the request again later",
        )
