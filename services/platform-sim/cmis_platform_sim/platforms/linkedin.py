"""LinkedIn Marketing API under ``/linkedin/rest/``: ``adAccounts/{id}``,
``adAccounts/{id}/adCampaigns?q=search``, ``adAnalytics?q=analytics`` (Rest.li 2.0 query
syntax), ``posts?q=author`` and ``organizationalEntityShareStatistics``; the token endpoint
``POST /linkedin/oauth/v2/accessToken``. Requests without ``Linkedin-Version`` are refused,
as on the real API.

Connecting: consent at ``/linkedin/oauth/v2/authorization`` (a refusal comes back as
``error=user_cancelled_authorize``), the code grant on the token endpoint (no PKCE: LinkedIn
offers it to native apps only), and ``rest/adAccountUsers?q=authenticatedUser`` (every
canonical account)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from ..dataset import Campaign, DailyMetric
from ..faults import Fault
from ..http import SimRequest, SimResponse, json_response, offset_from, offset_token
from ..oauth import CodeProblem
from .amounts import major_units
from .base import Route, SimulatedPlatform

_REST = "/linkedin/rest/"
_AUTHORIZE = "/linkedin/oauth/v2/authorization"
_ACCESS_S = 5_184_000
_REFRESH_S = 31_536_000
_CODE_REFUSED = (
    "Unable to retrieve access token: appid/redirect uri/code verifier does not match "
    "authorization code. Or authorization code expired. Or external member binding exists"
)
_ACCOUNT = re.compile(r"^adAccounts/(\d+)(/adCampaigns)?$")
_DATE = re.compile(r"(start|end):\(year:(\d+),month:(\d+),day:(\d+)\)")
_URN_ID = re.compile(r"urn:li:\w+:([\w-]+)")
_STATUS = {
    "active": "ACTIVE",
    "paused": "PAUSED",
    "archived": "ARCHIVED",
    "draft": "DRAFT",
    "removed": "REMOVED",
}


def _ms(day: date, tz: str) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(tz)).timestamp() * 1000)


def _error(
    status: int, code: str, message: str, service_code: int | None = None, extra: Any = None
) -> SimResponse:
    body: dict[str, Any] = {"status": status, "code": code, "message": message}
    if service_code is not None:
        body["serviceErrorCode"] = service_code
    return json_response(body, status, extra)


def _ymd(d: date) -> dict[str, int]:
    return {"year": d.year, "month": d.month, "day": d.day}


class LinkedInSim(SimulatedPlatform):
    name = "linkedin"
    prefix = "/linkedin/"
    drift_field = "costInLocalCurrency"

    def route(self, req: SimRequest) -> Route | None:
        if req.path == "/linkedin/oauth/v2/accessToken" and req.method == "POST":
            return Route("token", None, self._token, token_endpoint=True)
        if req.path == _AUTHORIZE and req.method == "GET":
            return Route("authorization", None, self._authorize, token_endpoint=True)
        if not req.path.startswith(_REST) or req.method != "GET":
            return None
        resource = req.path[len(_REST) :]
        if match := _ACCOUNT.match(resource):
            account = match.group(1)
            if match.group(2):
                return Route("adCampaigns", account, lambda r: self._campaigns(r, account))
            return Route("adAccount", account, lambda r: self._account(account))
        if resource == "adAccountUsers" and req.query.get("q") == "authenticatedUser":
            return Route("adAccountUsers", None, self._account_users)
        if resource == "adAnalytics":
            urn = _URN_ID.search(req.query.get("accounts", ""))
            return Route("adAnalytics", urn.group(1) if urn else None, self._analytics)
        if resource in ("posts", "organizationalEntityShareStatistics"):
            org = _URN_ID.search(
                req.query.get("author") or req.query.get("organizationalEntity", "")
            )
            handler = self._posts if resource == "posts" else self._share_stats
            return Route(resource, org.group(1) if org else None, handler)
        return None

    def _versioned(self, req: SimRequest) -> SimResponse | None:
        if not req.headers.get("linkedin-version"):
            return _error(
                400,
                "VERSION_MISSING",
                "A version must be present. Please specify a version by adding the "
                "LinkedIn-Version header.",
            )
        return None

    def _token(self, req: SimRequest) -> SimResponse:
        form = req.form()
        if form.get("grant_type") != "authorization_code":
            return self.refresh(req, False)
        issued = self.ctx.oauth.redeem(self.name, form.get("code"), form.get("client_id"))
        if isinstance(issued, CodeProblem) or form.get("redirect_uri") != issued.redirect_uri:
            return json_response(
                {"error": "invalid_request", "error_description": _CODE_REFUSED}, 400
            )
        return json_response(
            {
                "access_token": self.ctx.tokens.mint(self.name, _ACCESS_S),
                "expires_in": _ACCESS_S,
                "refresh_token": f"sim-refresh-linkedin-{self.ctx.tokens.serial()}",
                "refresh_token_expires_in": _REFRESH_S,
                "scope": "r_ads,r_ads_reporting,r_organization_social",
            }
        )

    def _authorize(self, req: SimRequest) -> SimResponse:
        q = req.query
        if not q.get("client_id") or not q.get("redirect_uri") or q.get("response_type") != "code":
            return _error(400, "INVALID_REQUEST", "client_id, redirect_uri and response_type")

        denied = {
            "error": "user_cancelled_authorize",
            "error_description": "The user cancelled the authorization",
        }
        return self.code_consent(req, q["client_id"], denied)

    def _account_users(self, req: SimRequest) -> SimResponse:
        if error := self._versioned(req):
            return error
        elements = [
            {
                "account": f"urn:li:sponsoredAccount:{account}",
                "role": "ACCOUNT_BILLING_ADMIN" if i == 0 else "CAMPAIGN_MANAGER",
                "user": "urn:li:person:sim-member",
            }
            for i, account in enumerate(self.ds.account_ids(self.name))
        ]
        return json_response({"elements": elements, "paging": {"start": 0, "count": 100}})

    def refresh(self, req: SimRequest, revoked: bool) -> SimResponse:
        if revoked or not self.ctx.tokens.refresh_token_ok(req.form().get("refresh_token")):
            return json_response(
                {
                    "error": "invalid_grant",
                    "error_description": "The provided authorization grant or refresh token "
                    "is invalid, expired or revoked.",
                },
                400,
            )
        # LinkedIn does not extend the refresh token on use, so it sends none back.
        return json_response(
            {"access_token": self.ctx.tokens.mint(self.name, 5_184_000), "expires_in": 5_184_000}
        )

    def _account(self, account: str) -> SimResponse:
        acct = self.ds.account("linkedin", account)
        return json_response(
            {
                "id": int(account),
                "name": f"Sim Ads {account}",
                "currency": acct.currency,
                "status": "ACTIVE",
                "type": "BUSINESS",
            }
        )

    def _campaigns(self, req: SimRequest, account: str) -> SimResponse:
        if error := self._versioned(req):
            return error
        tz = self.ds.account("linkedin", account).timezone
        items = [self._campaign(c, account, tz) for c in self.ds.campaigns("linkedin", account)]
        size = self.page_size(req.query.get("pageSize"), 100, 1000)
        start = offset_from(req.query.get("pageToken"))
        metadata: dict[str, Any] = {}
        if start + size < len(items):
            metadata["nextPageToken"] = offset_token(start + size)
        return json_response(
            {
                "elements": items[start : start + size],
                "metadata": metadata,
                "paging": {"start": 0, "count": size, "links": []},
            }
        )

    @staticmethod
    def _campaign(c: Campaign, account: str, tz: str) -> dict[str, Any]:
        item: dict[str, Any] = {
            "id": int(c.external_id),
            "name": c.name,
            "status": _STATUS[c.status],
            "account": f"urn:li:sponsoredAccount:{account}",
        }
        if c.budget_amount is not None:
            key = "dailyBudget" if c.budget_period == "daily" else "totalBudget"
            item[key] = {
                "amount": major_units(c.budget_minor or 0, c.exponent),
                "currencyCode": c.currency,
            }
        if c.start_date:
            item["runSchedule"] = {"start": _ms(c.start_date, tz)} | (
                {"end": _ms(c.end_date, tz)} if c.end_date else {}
            )
        return item

    def _analytics(self, req: SimRequest) -> SimResponse:
        if error := self._versioned(req):
            return error
        urn = _URN_ID.search(req.query.get("accounts", ""))
        bounds = {
            m.group(1): date(int(m.group(2)), int(m.group(3)), int(m.group(4)))
            for m in _DATE.finditer(req.query.get("dateRange", ""))
        }
        if not urn or "start" not in bounds:
            return _error(400, "ILLEGAL_ARGUMENT", "Invalid query parameters passed to request")
        until = bounds.get("end", datetime.now(UTC).date())
        rows = self.ds.daily_metrics("linkedin", urn.group(1), bounds["start"], until)
        if len(rows) > self.ctx.linkedin_max_elements:
            return _error(
                400,
                "ILLEGAL_ARGUMENT",
                f"Request would return more than {self.ctx.linkedin_max_elements} elements; "
                "narrow the date range or the entities requested",
            )
        return json_response(
            {
                "elements": [self._element(m) for m in rows],
                "paging": {"start": 0, "count": 10, "links": []},
            }
        )

    @staticmethod
    def _element(m: DailyMetric) -> dict[str, Any]:
        return {
            "dateRange": {"start": _ymd(m.day), "end": _ymd(m.day)},
            "pivotValues": [f"urn:li:sponsoredCampaign:{m.campaign_external_id}"],
            "impressions": m.impressions,
            "clicks": m.clicks,
            "costInLocalCurrency": major_units(m.spend_minor, m.exponent),
            "externalWebsiteConversions": int(m.conversions),
            "conversionValueInLocalCurrency": major_units(m.conversion_value_minor, m.exponent),
        }

    def _posts(self, req: SimRequest) -> SimResponse:
        if error := self._versioned(req):
            return error
        org = _URN_ID.search(req.query.get("author", ""))
        posts = self.ds.posts("linkedin", org.group(1) if org else "")
        count = self.page_size(req.query.get("count"), 10, 100)
        start = int(req.query.get("start") or 0)
        items = [
            {
                "id": p.external_id,
                "author": req.query.get("author"),
                "commentary": p.text,
                "publishedAt": int(p.published_at.timestamp() * 1000),
                "lifecycleState": "PUBLISHED",
                "visibility": "PUBLIC",
            }
            for p in posts[start : start + count]
        ]
        return json_response(
            {
                "elements": items,
                "paging": {"start": start, "count": count, "total": len(posts), "links": []},
            }
        )

    def _share_stats(self, req: SimRequest) -> SimResponse:
        if error := self._versioned(req):
            return error
        org = _URN_ID.search(req.query.get("organizationalEntity", ""))
        wanted = set(re.findall(r"urn:li:share:\d+", req.query.get("shares", "")))
        stats = [
            {
                "organizationalEntity": f"urn:li:organization:{org.group(1) if org else ''}",
                "share": p.external_id,
                "totalShareStatistics": {
                    "likeCount": p.likes,
                    "commentCount": p.comments,
                    "shareCount": p.shares,
                    "impressionCount": p.impressions,
                    "clickCount": 0,
                    "engagement": 0.01,
                },
            }
            for p in self.ds.posts("linkedin", org.group(1) if org else "")
            if p.external_id in wanted
        ]
        return json_response(
            {"elements": stats, "paging": {"start": 0, "count": len(stats), "links": []}}
        )

    def rate_limited(self, fault: Fault, req: SimRequest) -> SimResponse:
        retry = [(b"retry-after", str(int(fault.retry_after)).encode())]
        return _error(
            429,
            "TOO_MANY_REQUESTS",
            "Resource level throttle APPLICATION MINUTE limit for calls to this resource "
            "is reached.",
            extra=retry,
        )

    def quota_exhausted(self, fault: Fault, req: SimRequest) -> SimResponse:
        return _error(
            429,
            "TOO_MANY_REQUESTS",
            "Resource level throttle APPLICATION DAY limit for calls to this resource is reached.",
        )

    def expired(self, req: SimRequest) -> SimResponse:
        return _error(
            401, "EXPIRED_ACCESS_TOKEN", "The token used in the request has expired", 65602
        )

    def revoked(self, req: SimRequest) -> SimResponse:
        return _error(
            401,
            "REVOKED_ACCESS_TOKEN",
            "The token used in the request has been revoked by the user",
            65601,
        )

    def server_error(self, fault: Fault, req: SimRequest) -> SimResponse:
        return _error(fault.status, "SERVICE_UNAVAILABLE", "Service is temporarily unavailable")
