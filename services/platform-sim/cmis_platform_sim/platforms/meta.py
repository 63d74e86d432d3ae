"""Meta Graph API: ``/meta/{version}/act_{id}`` (+ ``/campaigns``, ``/insights``),
``/meta/{version}/{page_id}/posts`` and ``/meta/{version}/{ig_user_id}/media``.

Numbers as strings, budgets in minor units, cursor paging, usage headers on every answer,
throttling as error codes in an HTTP 400 body. Page ids and Instagram user ids are told
apart by the edge, as on the real API."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from ..dataset import Campaign, DailyMetric, Post
from ..faults import Fault
from ..http import Headers, SimRequest, SimResponse, json_response, offset_from, offset_token
from .amounts import major_units
from .base import Route, SimulatedPlatform

_STATUS = {"active": "ACTIVE", "paused": "PAUSED", "removed": "DELETED", "archived": "ARCHIVED"}
_ACTION = "purchase"


def _meta_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S%z")


def _error(
    status: int, code: int, message: str, subcode: int | None = None, extra: Headers | None = None
) -> SimResponse:
    error: dict[str, Any] = {
        "message": message,
        "type": "OAuthException",
        "code": code,
        "fbtrace_id": "SimTrace",
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    return json_response({"error": error}, status, extra)


class MetaSim(SimulatedPlatform):
    name = "meta"
    prefix = "/meta/"
    drift_field = "spend"

    def route(self, req: SimRequest) -> Route | None:
        parts = req.path.split("/")  # ["", "meta", version, node, edge?]
        if req.method != "GET" or len(parts) not in (4, 5):
            return None
        node, edge = parts[3], parts[4] if len(parts) == 5 else ""
        if node.startswith("act_"):
            account = node[4:]
            handlers = {"": self._account, "campaigns": self._campaigns, "insights": self._insights}
            handler = handlers.get(edge)
            return (
                Route(edge or "account", account, lambda r: handler(r, account))
                if handler
                else None
            )
        if edge == "posts":
            return Route("page_posts", node, lambda r: self._posts(r, node, "page"))
        if edge == "media":
            return Route("ig_media", node, lambda r: self._posts(r, node, "instagram"))
        return None

    def access_token(self, req: SimRequest) -> str | None:
        return req.bearer() or req.query.get("access_token")

    def usage_headers(self, pct: int) -> Headers:
        app = orjson.dumps({"call_count": pct, "total_cputime": pct, "total_time": pct})
        bucket = [
            {
                "type": "ads_insights",
                "call_count": pct,
                "total_cputime": pct,
                "total_time": pct,
                "estimated_time_to_regain_access": 0,
            }
        ]
        return [
            (b"x-app-usage", app),
            (
                b"x-ad-account-usage",
                orjson.dumps({"acc_id_util_pct": pct, "reset_time_duration": 0}),
            ),
            (b"x-business-use-case-usage", orjson.dumps({"sim": bucket})),
        ]

    def _paged(self, req: SimRequest, items: list[dict[str, Any]]) -> SimResponse:
        size = self.page_size(req.query.get("limit"), 25, 5000)
        start = offset_from(req.query.get("after"))
        body: dict[str, Any] = {
            "data": items[start : start + size],
            "paging": {
                "cursors": {"before": offset_token(start), "after": offset_token(start + size)}
            },
        }
        if start + size < len(items):
            body["paging"]["next"] = (
                f"https://graph.facebook.com{req.path}?after={offset_token(start + size)}"
            )
        return json_response(body)

    def _account(self, req: SimRequest, account: str) -> SimResponse:
        acct = self.ds.account("meta", account)
        return json_response(
            {"id": f"act_{account}", "currency": acct.currency, "timezone_name": acct.timezone}
        )

    def _campaigns(self, req: SimRequest, account: str) -> SimResponse:
        tz = ZoneInfo(self.ds.account("meta", account).timezone)
        return self._paged(req, [self._campaign(c, tz) for c in self.ds.campaigns("meta", account)])

    def _campaign(self, c: Campaign, tz: ZoneInfo) -> dict[str, Any]:
        item: dict[str, Any] = {
            "id": c.external_id,
            "name": c.name,
            "status": _STATUS[c.status],
            "effective_status": _STATUS[c.status],
        }
        if c.budget_minor is not None:
            item["daily_budget" if c.budget_period == "daily" else "lifetime_budget"] = str(
                c.budget_minor
            )
        if c.start_date:
            item["start_time"] = _meta_time(
                datetime(c.start_date.year, c.start_date.month, c.start_date.day, tzinfo=tz)
            )
        if c.end_date:
            item["stop_time"] = _meta_time(
                datetime(c.end_date.year, c.end_date.month, c.end_date.day, 23, 59, tzinfo=tz)
            )
        return item

    def _insights(self, req: SimRequest, account: str) -> SimResponse:
        time_range = orjson.loads(req.query.get("time_range", "{}"))
        since, until = (
            date.fromisoformat(time_range["since"]),
            date.fromisoformat(time_range["until"]),
        )
        rows = [self._insight(m) for m in self.ds.daily_metrics("meta", account, since, until)]
        return self._paged(req, rows)

    def _insight(self, m: DailyMetric) -> dict[str, Any]:
        row: dict[str, Any] = {
            "campaign_id": m.campaign_external_id,
            "spend": major_units(m.spend_minor, m.exponent),
            "impressions": str(m.impressions),
            "clicks": str(m.clicks),
            "account_currency": m.currency,
            "date_start": m.day.isoformat(),
            "date_stop": m.day.isoformat(),
        }
        actions = [{"action_type": "link_click", "value": str(m.clicks)}] if m.clicks else []
        if m.conversions:  # the link_click decoy must not count as a conversion
            actions.append({"action_type": _ACTION, "value": str(m.conversions)})
            row["action_values"] = [
                {"action_type": _ACTION, "value": major_units(m.conversion_value_minor, m.exponent)}
            ]
        if actions:
            row["actions"] = actions
        return row

    def _posts(self, req: SimRequest, owner: str, channel: str) -> SimResponse:
        posts = self.ds.posts("meta", owner, channel)
        since = req.query.get("since")
        if since and channel == "page":
            posts = tuple(p for p in posts if p.published_at.timestamp() >= int(since))
        render = self._page_post if channel == "page" else self._media
        return self._paged(req, [render(p) for p in posts])

    @staticmethod
    def _page_post(p: Post) -> dict[str, Any]:
        item: dict[str, Any] = {
            "id": p.external_id,
            "message": p.text,
            "created_time": _meta_time(p.published_at),
            "reactions": {
                "data": [],
                "summary": {"total_count": p.likes, "viewer_reaction": "NONE"},
            },
            "comments": {
                "data": [],
                "summary": {"order": "ranked", "total_count": p.comments, "can_comment": True},
            },
        }
        if p.shares:
            item["shares"] = {"count": p.shares}
        return item

    @staticmethod
    def _media(p: Post) -> dict[str, Any]:
        return {
            "id": p.external_id,
            "caption": p.text,
            "timestamp": _meta_time(p.published_at),
            "like_count": p.likes,
            "comments_count": p.comments,
        }

    def rate_limited(self, fault: Fault, req: SimRequest) -> SimResponse:
        minutes = max(1, math.ceil(fault.retry_after / 60))
        bucket = [
            {
                "type": "ads_management",
                "call_count": 100,
                "total_cputime": 40,
                "total_time": 40,
                "estimated_time_to_regain_access": minutes,
            }
        ]
        header = [(b"x-business-use-case-usage", orjson.dumps({"sim": bucket}))]
        return _error(
            400,
            80004,
            "There have been too many calls to this ad-account. Wait a bit and try again.",
            2446079,
            header,
        )

    def expired(self, req: SimRequest) -> SimResponse:
        return _error(400, 190, "Error validating access token: Session has expired.", 463)

    def revoked(self, req: SimRequest) -> SimResponse:
        return _error(
            400, 190, "Error validating access token: The user has not authorized application.", 458
        )

    def server_error(self, fault: Fault, req: SimRequest) -> SimResponse:
        body = {
            "error": {
                "message": "An unexpected error has occurred. Please retry your request later.",
                "type": "OAuthException",
                "code": 2,
                "is_transient": True,
            }
        }
        return json_response(body, fault.status)
