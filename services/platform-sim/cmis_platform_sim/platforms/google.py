"""Google Ads REST: ``POST /google/{version}/customers/{id}/googleAds:search`` with a GAQL
query, pages of up to 10,000 rows, proto3 JSON (int64 as strings, zero fields omitted);
``googleAds:searchStream``, the same query answered at once as a JSON array of batches; and
``POST /google/token`` for the refresh-token and authorization-code grants.

Connecting: ``GET /google/o/oauth2/v2/auth`` (consent, PKCE ``S256``), the code grant on
``/google/token``, ``GET /google/{version}/customers:listAccessibleCustomers`` and the
``customer_client`` GAQL query. Every grant reaches one manager account (:data:`MANAGER_ID`),
whose clients are the dataset's canonical accounts, and the first of those directly."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from ..dataset import Campaign, DailyMetric
from ..faults import Fault
from ..http import SimRequest, SimResponse, json_response, offset_from, offset_token
from ..oauth import CodeProblem
from .base import Route, SimulatedPlatform

MANAGER_ID = "1009000000"
_AUTHORIZE = "/google/o/oauth2/v2/auth"
_ACCESSIBLE = re.compile(r"^/google/[^/]+/customers:listAccessibleCustomers$")
_SEARCH = re.compile(r"^/google/[^/]+/customers/(\d+)/googleAds:search(?:Stream)?$")
_BETWEEN = re.compile(
    r"segments\.date\s+BETWEEN\s+'(\d{4}-\d{2}-\d{2})'\s+AND\s+'(\d{4}-\d{2}-\d{2})'", re.I
)
_FROM_CUSTOMER_CLIENT = re.compile(r"\bFROM\s+customer_client\b", re.I)
_STATUS = {"active": "ENABLED", "paused": "PAUSED", "removed": "REMOVED"}
_FAILURE = "type.googleapis.com/google.ads.googleads.v21.errors.GoogleAdsFailure"


def _micros(minor: int, exponent: int) -> str:
    return str(minor * 10 ** (6 - exponent))


def _drop_zeros(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in (0, "0", 0.0)}


def _failure(
    status: int,
    grpc: str,
    message: str,
    code: dict[str, str],
    extra: list[Any] | None = None,
    details: dict[str, Any] | None = None,
) -> SimResponse:
    error = {"errorCode": code, "message": message}
    if details:
        error["details"] = details
    body = {
        "error": {
            "code": status,
            "message": message,
            "status": grpc,
            "details": [{"@type": _FAILURE, "errors": [error], "requestId": "sim"}, *(extra or [])],
        }
    }
    return json_response(body, status)


class GoogleSim(SimulatedPlatform):
    name = "google"
    prefix = "/google/"
    drift_field = "costMicros"

    def route(self, req: SimRequest) -> Route | None:
        if req.path == "/google/token" and req.method == "POST":
            return Route("token", None, self._token, token_endpoint=True)
        if req.path == _AUTHORIZE and req.method == "GET":
            return Route("authorize", None, self._authorize, token_endpoint=True)
        if _ACCESSIBLE.match(req.path) and req.method == "GET":
            return Route("listAccessibleCustomers", None, self._accessible)
        match = _SEARCH.match(req.path)
        if match and req.method == "POST":
            stream = req.path.endswith("Stream")
            return Route("searchStream" if stream else "search", match.group(1), self._search)
        return None

    def _authorize(self, req: SimRequest) -> SimResponse:
        q = req.query
        if not q.get("client_id") or not q.get("redirect_uri") or q.get("response_type") != "code":
            return json_response({"error": "invalid_request"}, 400)
        if q.get("code_challenge") and q.get("code_challenge_method") != "S256":
            return json_response({"error": "invalid_request", "error_description": "S256"}, 400)

        return self.code_consent(
            req, q["client_id"], {"error": "access_denied"}, challenge=q.get("code_challenge")
        )

    def _token(self, req: SimRequest) -> SimResponse:
        form = req.form()
        if form.get("grant_type") != "authorization_code":
            return self.refresh(req, False)
        issued = self.ctx.oauth.redeem(
            self.name, form.get("code"), form.get("client_id"), form.get("code_verifier")
        )
        if isinstance(issued, CodeProblem):
            description = {
                CodeProblem.VERIFIER_MISSING: "Missing code verifier.",
                CodeProblem.VERIFIER_MISMATCH: "Invalid code verifier.",
                CodeProblem.EXPIRED: "Bad Request",
            }.get(issued, "Malformed auth code.")
            return json_response({"error": "invalid_grant", "error_description": description}, 400)
        if form.get("redirect_uri") != issued.redirect_uri:
            return json_response(
                {"error": "redirect_uri_mismatch", "error_description": "Bad Request"}, 400
            )
        return json_response(
            {
                "access_token": self.ctx.tokens.mint(self.name, 3599),
                "expires_in": 3599,
                "refresh_token": f"sim-refresh-google-{self.ctx.tokens.serial()}",
                "scope": "https://www.googleapis.com/auth/adwords",
                "token_type": "Bearer",
            }
        )

    def _accessible(self, req: SimRequest) -> SimResponse:
        if error := self._developer_token_missing(req):
            return error
        direct = self.ds.account_ids(self.name)[:1]
        return json_response({"resourceNames": [f"customers/{i}" for i in [MANAGER_ID, *direct]]})

    def _developer_token_missing(self, req: SimRequest) -> SimResponse | None:
        if req.headers.get("developer-token"):
            return None
        return _failure(
            401,
            "UNAUTHENTICATED",
            "The developer token is not valid.",
            {"authenticationError": "DEVELOPER_TOKEN_INVALID"},
        )

    def _customer_clients(self, customer: str) -> list[dict[str, Any]]:
        """The ``customer_client`` rows: the customer itself (level 0) and, for the manager,
        its clients (level 1)."""
        clients = self.ds.account_ids(self.name) if customer == MANAGER_ID else []
        rows = []
        for level, client in [(0, customer)] + [(1, c) for c in clients]:
            acct = self.ds.account(self.name, client)
            rows.append(
                {
                    "customerClient": {
                        "resourceName": f"customers/{customer}/customerClients/{client}",
                        "clientCustomer": f"customers/{client}",
                        "id": client,
                        "descriptiveName": f"Sim Ads {client}"
                        if client != MANAGER_ID
                        else "Sim Agency (manager)",
                        "manager": client == MANAGER_ID,
                        "level": str(level),
                        "currencyCode": acct.currency,
                        "timeZone": acct.timezone,
                    }
                }
            )
        return rows

    def _search(self, req: SimRequest) -> SimResponse:
        if error := self._developer_token_missing(req):
            return error
        body = req.json()
        query = str(body.get("query", ""))
        customer = _SEARCH.match(req.path).group(1)  # type: ignore[union-attr]
        between = _BETWEEN.search(query)
        if _FROM_CUSTOMER_CLIENT.search(query):
            rows = self._customer_clients(customer)
        elif "segments.date" in query and between:
            since, until = (
                date.fromisoformat(between.group(1)),
                date.fromisoformat(between.group(2)),
            )
            rows = [
                self._metric_row(customer, m)
                for m in self.ds.daily_metrics("google", customer, since, until)
            ]
        elif "segments.date" in query:
            return _failure(
                400,
                "INVALID_ARGUMENT",
                "A date range is required.",
                {"queryError": "DATE_RANGE_REQUIRED"},
            )
        else:
            rows = [self._campaign_row(customer, c) for c in self.ds.campaigns("google", customer)]
        size = self.page_size(None, 10_000, 10_000)
        if req.path.endswith("Stream"):
            # searchStream: every row in one answer, a JSON array of batches of up to 10,000.
            batches = [
                {"results": rows[i : i + size], "fieldMask": "sim", "requestId": "sim"}
                for i in range(0, len(rows), size)
            ] or [{"fieldMask": "sim", "requestId": "sim"}]
            return json_response(batches)
        start = offset_from(body.get("pageToken"))
        page: dict[str, Any] = {
            "results": rows[start : start + size],
            "fieldMask": "sim",
            "queryResourceConsumption": str(len(rows)),
        }
        if start + size < len(rows):
            page["nextPageToken"] = offset_token(start + size)
        return json_response(page)

    def _campaign_row(self, customer: str, c: Campaign) -> dict[str, Any]:
        budget: dict[str, Any] = {
            "resourceName": f"customers/{customer}/campaignBudgets/{c.external_id}"
        }
        if c.budget_minor is not None:
            key = "amountMicros" if c.budget_period == "daily" else "totalAmountMicros"
            budget[key] = _micros(c.budget_minor, c.exponent)
        return {
            "campaign": {
                "resourceName": f"customers/{customer}/campaigns/{c.external_id}",
                "id": c.external_id,
                "name": c.name,
                "status": _STATUS[c.status],
                "startDate": c.start_date.isoformat() if c.start_date else None,
                "endDate": c.end_date.isoformat() if c.end_date else "2037-12-30",
            },
            "campaignBudget": budget,
            "customer": {"resourceName": f"customers/{customer}", "currencyCode": c.currency},
        }

    def _metric_row(self, customer: str, m: DailyMetric) -> dict[str, Any]:
        metrics = {
            "impressions": str(m.impressions),
            "clicks": str(m.clicks),
            "costMicros": _micros(m.spend_minor, m.exponent),
            "conversions": float(m.conversions),
            "conversionsValue": float(m.conversion_value),
        }
        return {
            "campaign": {
                "resourceName": f"customers/{customer}/campaigns/{m.campaign_external_id}",
                "id": m.campaign_external_id,
            },
            "metrics": _drop_zeros(metrics),
            "segments": {"date": m.day.isoformat()},
            "customer": {"resourceName": f"customers/{customer}", "currencyCode": m.currency},
        }

    def rate_limited(self, fault: Fault, req: SimRequest) -> SimResponse:
        delay = f"{int(fault.retry_after)}s"
        return _failure(
            429,
            "RESOURCE_EXHAUSTED",
            "Too many requests. Retry in " + delay,
            {"quotaError": "RESOURCE_TEMPORARILY_EXHAUSTED"},
            extra=[{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": delay}],
            details={
                "quotaErrorDetails": {
                    "rateScope": "ACCOUNT",
                    "rateName": "Requests per account",
                    "retryDelay": delay,
                }
            },
        )

    def expired(self, req: SimRequest) -> SimResponse:
        return _failure(
            401,
            "UNAUTHENTICATED",
            "OAuth token in the header has expired.",
            {"authenticationError": "OAUTH_TOKEN_EXPIRED"},
        )

    def revoked(self, req: SimRequest) -> SimResponse:
        return _failure(
            401,
            "UNAUTHENTICATED",
            "OAuth token in the header has been revoked.",
            {"authenticationError": "OAUTH_TOKEN_REVOKED"},
        )

    def server_error(self, fault: Fault, req: SimRequest) -> SimResponse:
        body = {
            "error": {
                "code": fault.status,
                "message": "The service is currently unavailable.",
                "status": "UNAVAILABLE",
            }
        }
        return json_response(body, fault.status)
