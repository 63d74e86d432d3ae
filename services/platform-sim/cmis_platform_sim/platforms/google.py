"""Google Ads REST: ``POST /google/{version}/customers/{id}/googleAds:search`` with a GAQL
query, pages of up to 10,000 rows, proto3 JSON (int64 as strings, zero fields omitted), and
``POST /google/token`` for the refresh-token grant."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from ..dataset import Campaign, DailyMetric
from ..faults import Fault
from ..http import SimRequest, SimResponse, json_response, offset_from, offset_token
from .base import Route, SimulatedPlatform

_SEARCH = re.compile(r"^/google/[^/]+/customers/(\d+)/googleAds:search(?:Stream)?$")
_BETWEEN = re.compile(
    r"segments\.date\s+BETWEEN\s+'(\d{4}-\d{2}-\d{2})'\s+AND\s+'(\d{4}-\d{2}-\d{2})'", re.I
)
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
            return Route("token", None, lambda r: self.refresh(r, False), token_endpoint=True)
        match = _SEARCH.match(req.path)
        if match and req.method == "POST":
            return Route("search", match.group(1), self._search)
        return None

    def _search(self, req: SimRequest) -> SimResponse:
        if not req.headers.get("developer-token"):
            return _failure(
                401,
                "UNAUTHENTICATED",
                "The developer token is not valid.",
                {"authenticationError": "DEVELOPER_TOKEN_INVALID"},
            )
        body = req.json()
        query = str(body.get("query", ""))
        customer = _SEARCH.match(req.path).group(1)  # type: ignore[union-attr]
        between = _BETWEEN.search(query)
        if "segments.date" in query and between:
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
