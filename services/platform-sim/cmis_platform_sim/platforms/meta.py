"""Meta Graph API: ``/meta/{version}/act_{id}`` (+ ``/campaigns``, ``/insights``),
``/meta/{version}/{page_id}/posts`` and ``/meta/{version}/{ig_user_id}/media``.

Numbers as strings, budgets in minor units, cursor paging, usage headers on every answer,
throttling as error codes in an HTTP 400 body. Page ids and Instagram user ids are told
apart by the edge, as on the real API.

Insights for long ranges: the asynchronous report run (``POST act_{id}/insights`` gives a
``report_run_id``; ``GET {report_run_id}`` shows ``async_status`` and
``async_percent_completion``; ``GET {report_run_id}/insights`` pages the rows as the synchronous
call does), with jobs that fail or never finish on demand (:mod:`cmis_platform_sim.reports`).

Connecting: the login dialog ``/meta/{version}/dialog/oauth``, the code exchange and the
long-lived token (``grant_type=fb_exchange_token``) on ``/meta/{version}/oauth/access_token``,
and what a grant reaches: ``me/adaccounts`` (the first canonical account), ``me/businesses``
(one business owning the first three accounts and serving the rest as a client),
``{business}/owned_ad_accounts``, ``{business}/client_ad_accounts``, ``me/accounts`` (pages,
each with its own token) and ``{page}?fields=instagram_business_account``."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from ..dataset import Campaign, DailyMetric, Post
from ..faults import Fault
from ..http import Headers, SimRequest, SimResponse, json_response, offset_from, offset_token
from ..oauth import CodeProblem
from ..reports import ReportBook, ReportJob
from ..tokens import TokenState
from .amounts import major_units
from .base import Route, SimContext, SimulatedPlatform

BUSINESS_ID = "300000000001"
PAGE_IDS = ("200000000001", "200000000002")
_SHORT_LIVED_S = 7200
_LONG_LIVED_S = 5_183_944
_STATUS = {"active": "ACTIVE", "paused": "PAUSED", "removed": "DELETED", "archived": "ARCHIVED"}
_ACTION = "purchase"


def _meta_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S%z")


def _time_range(params: dict[str, str]) -> tuple[date, date]:
    time_range = orjson.loads(params.get("time_range", "{}"))
    return date.fromisoformat(time_range["since"]), date.fromisoformat(time_range["until"])


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

    def __init__(self, ctx: SimContext) -> None:
        super().__init__(ctx)
        self.reports = ReportBook()

    def route(self, req: SimRequest) -> Route | None:
        parts = req.path.split("/")  # ["", "meta", version, node, edge?]
        if req.method not in ("GET", "POST") or len(parts) not in (4, 5):
            return None
        node, edge = parts[3], parts[4] if len(parts) == 5 else ""
        if req.method == "POST":
            if node.startswith("act_") and edge == "insights":
                account = node[4:]
                return Route(
                    "insights_job",
                    account,
                    lambda r: self._start_report(r, account),
                    cached=False,
                    report_job=True,
                )
            return None
        job = self.reports.get(node)
        if job is not None and edge == "":
            return Route(
                "report_status", job.account, lambda r: self._report_status(job), cached=False
            )
        if job is not None and edge == "insights":
            return Route("report_insights", job.account, lambda r: self._report_rows(r, job))
        if (node, edge) == ("dialog", "oauth"):
            return Route("dialog", None, self._dialog, token_endpoint=True)
        if (node, edge) == ("oauth", "access_token"):
            return Route("access_token", None, self._access_token, token_endpoint=True)
        reach = self._reach_route(node, edge)
        if reach is not None:
            return reach
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

    # --- connecting ---------------------------------------------------------------

    def _dialog(self, req: SimRequest) -> SimResponse:
        q = req.query
        if not q.get("client_id") or not q.get("redirect_uri"):
            return _error(400, 191, "Invalid redirect_uri or client_id.")

        denied = {
            "error": "access_denied",
            "error_code": "200",
            "error_description": "Permissions error",
            "error_reason": "user_denied",
        }
        return self.code_consent(req, q["client_id"], denied)

    def _access_token(self, req: SimRequest) -> SimResponse:
        q = req.query
        if q.get("grant_type") == "fb_exchange_token":
            short = q.get("fb_exchange_token")
            if self.ctx.tokens.check_access(short) is not TokenState.VALID:
                return _error(400, 190, "Error validating access token.", 463)
            lifetime = _LONG_LIVED_S
        else:
            issued = self.ctx.oauth.redeem(self.name, q.get("code"), q.get("client_id"))
            if isinstance(issued, CodeProblem):
                message, subcode = {
                    CodeProblem.EXPIRED: ("This authorization code has expired.", 36007),
                    CodeProblem.USED: ("This authorization code has been used.", 36009),
                }.get(issued, ("Invalid verification code format.", None))
                return _error(400, 100, message, subcode)
            if q.get("redirect_uri") != issued.redirect_uri:
                return _error(
                    400,
                    100,
                    "Error validating verification code. Please make sure your redirect_uri "
                    "is identical to the one you used in the OAuth dialog request",
                    36008,
                )
            lifetime = _SHORT_LIVED_S
        return json_response(
            {
                "access_token": self.ctx.tokens.mint(self.name, lifetime),
                "token_type": "bearer",
                "expires_in": lifetime,
            }
        )

    def _reach_route(self, node: str, edge: str) -> Route | None:
        accounts = self.ds.account_ids(self.name)
        lists: dict[tuple[str, str], Callable[[], list[dict[str, Any]]]] = {
            ("me", "adaccounts"): lambda: [self._ad_account(a) for a in accounts[:1]],
            ("me", "businesses"): lambda: [{"id": BUSINESS_ID, "name": "Sim Agency"}],
            ("me", "accounts"): lambda: [self._page(p) for p in PAGE_IDS],
            (BUSINESS_ID, "owned_ad_accounts"): lambda: [self._ad_account(a) for a in accounts[:3]],
            (BUSINESS_ID, "client_ad_accounts"): lambda: [
                self._ad_account(a) for a in accounts[3:]
            ],
        }
        if (node, edge) in lists:
            items = lists[(node, edge)]
            return Route(f"{node}.{edge}", None, lambda r: self._paged(r, items()))
        if node in PAGE_IDS and not edge:
            return Route("page", node, lambda r: json_response(self._page_node(node)))
        return None

    def _ad_account(self, account: str) -> dict[str, Any]:
        acct = self.ds.account(self.name, account)
        return {
            "id": f"act_{account}",
            "account_id": account,
            "name": f"Sim Ads {account}",
            "currency": acct.currency,
            "timezone_name": acct.timezone,
            "account_status": 1,
        }

    def _page(self, page: str) -> dict[str, Any]:
        return {
            "id": page,
            "name": f"Sim Page {page}",
            "category": "Brand",
            "access_token": self.ctx.tokens.mint(f"meta-page-{page}", _LONG_LIVED_S),
            "tasks": ["ANALYZE", "ADVERTISE"],
        }

    @staticmethod
    def _page_node(page: str) -> dict[str, Any]:
        node: dict[str, Any] = {"id": page}
        if page == PAGE_IDS[0]:  # the first page has an Instagram business account
            node["instagram_business_account"] = {"id": f"178414{page}"}
        return node

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
        since, until = _time_range(req.query)
        rows = [self._insight(m) for m in self.ds.daily_metrics("meta", account, since, until)]
        return self._paged(req, rows)

    # --- asynchronous insights: report runs ------------------------------------------

    def _start_report(self, req: SimRequest, account: str) -> SimResponse:
        params = {**req.query, **req.form()}
        try:
            since, until = _time_range(params)
        except (KeyError, ValueError):
            return _error(400, 100, "(#100) time_range must be a JSON object with since, until")
        job = self.reports.start(account, since, until, req.report_fault)
        return json_response({"report_run_id": job.id})

    def _report_status(self, job: ReportJob) -> SimResponse:
        status, percent = job.poll()
        return json_response(
            {
                "id": job.id,
                "account_id": job.account,
                "async_status": status,
                "async_percent_completion": percent,
                "date_start": job.since.isoformat(),
                "date_stop": job.until.isoformat(),
            }
        )

    def _report_rows(self, req: SimRequest, job: ReportJob) -> SimResponse:
        if not job.completed:
            return _error(400, 100, "(#100) The report is not ready yet or has failed.", 2859)
        rows = self.ds.daily_metrics("meta", job.account, job.since, job.until)
        return self._paged(req, [self._insight(m) for m in rows])

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
