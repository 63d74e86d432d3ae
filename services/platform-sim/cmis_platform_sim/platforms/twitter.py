"""X: Ads API under ``/twitter/ads/{version}/`` (``accounts/{id}/campaigns``,
``stats/accounts/{id}``) and API v2 under ``/twitter/api/2/users/{id}/tweets``.

OAuth 1.0a: the simulator reads ``oauth_token`` from the ``Authorization: OAuth ...``
header and checks it like any token; it does not verify the HMAC signature (the connector's
signing is unit-tested against the published example instead)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from ..dataset import Campaign, DailyMetric, Post
from ..faults import Fault
from ..http import Headers, SimRequest, SimResponse, json_response, offset_from, offset_token
from .base import Route, SimulatedPlatform

_CAMPAIGNS = re.compile(r"^/twitter/ads/[^/]+/accounts/(\w+)/campaigns$")
_STATS = re.compile(r"^/twitter/ads/[^/]+/stats/accounts/(\w+)$")
_TWEETS = re.compile(r"^/twitter/api/2/users/(\w+)/tweets$")
_TOKEN = re.compile(r'oauth_token="([^"]*)"')
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

    def route(self, req: SimRequest) -> Route | None:
        if req.method != "GET":
            return None
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
