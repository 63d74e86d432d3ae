"""Google Ads API (REST): campaigns and daily metrics through GAQL ``googleAds:search``; a
metrics range longer than ``google_search_max_days`` (a backfill, a first sync) through
``googleAds:searchStream``, which answers every row at once (batches of 10,000 in one JSON
array): no page round trips and no page limit, as Google recommends for large reports.

Pages hold up to 10,000 rows and continue by ``nextPageToken``. JSON follows the proto3
mapping: int64 as strings, doubles as numbers, and fields equal to zero are OMITTED, so a
missing metric means 0 and drift shows as an unknown field instead. Quota errors carry
their wait in ``retryDelay``, not in a header. Google Ads has no organic posts.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import SecretStr

from cmis_shared.events import BudgetPeriod, Platform

from . import base
from .common import OAuth2Connector, error_for_status, segment
from .convert import count_from, decimal_from, micros_to_decimal, parse_day
from .paging import collect_pages
from .throttle import google_duration_seconds
from .transport import Reply, schema_guard

PLATFORM = Platform.GOOGLE

CAMPAIGNS_QUERY = (
    "SELECT campaign.id, campaign.name, campaign.status, campaign.start_date, "
    "campaign.end_date, campaign_budget.amount_micros, campaign_budget.total_amount_micros, "
    "customer.currency_code FROM campaign ORDER BY campaign.id"
)
METRICS_QUERY = (
    "SELECT campaign.id, segments.date, metrics.impressions, metrics.clicks, "
    "metrics.cost_micros, metrics.conversions, metrics.conversions_value, "
    "customer.currency_code FROM campaign WHERE segments.date BETWEEN '{since}' AND '{until}' "
    "ORDER BY segments.date"
)

_STATUS = {"ENABLED": "active", "PAUSED": "paused", "REMOVED": "removed"}
_METRIC_FIELDS = {"impressions", "clicks", "costMicros", "conversions", "conversionsValue"}
_NO_END_DATE = "2037-12-30"  # Google's way of saying "runs indefinitely"
_REVOKED = {"OAUTH_TOKEN_REVOKED", "OAUTH_TOKEN_DISABLED", "GOOGLE_ACCOUNT_DELETED", "NOT_ADS_USER"}


# --- mapping: the one place Google's fields meet our model ---------------------------


def map_campaign(row: dict[str, Any], fallback_currency: str | None) -> base.NormalizedCampaign:
    campaign = row["campaign"]
    budget = row.get("campaignBudget", {})
    currency = row.get("customer", {}).get("currencyCode") or fallback_currency
    if not currency:
        raise ValueError("no currency on the row or the account")
    amount, period = None, None
    if "amountMicros" in budget:
        amount, period = micros_to_decimal(budget["amountMicros"]), BudgetPeriod.DAILY
    elif "totalAmountMicros" in budget:
        amount, period = micros_to_decimal(budget["totalAmountMicros"]), BudgetPeriod.LIFETIME
    end = campaign.get("endDate")
    return base.NormalizedCampaign(
        external_id=str(campaign["id"]),
        name=str(campaign["name"]),
        status=_STATUS.get(campaign["status"], "unknown"),
        currency=currency,
        budget_amount=amount,
        budget_period=period,
        start_date=parse_day(campaign["startDate"]) if campaign.get("startDate") else None,
        end_date=parse_day(end) if end and end != _NO_END_DATE else None,
    )


def map_metric_row(
    row: dict[str, Any], fallback_currency: str | None
) -> base.NormalizedDailyMetric:
    metrics = row.get("metrics", {})
    unknown = set(metrics) - _METRIC_FIELDS
    if unknown:
        raise ValueError(f"unknown metric fields {sorted(unknown)}")
    currency = row.get("customer", {}).get("currencyCode") or fallback_currency
    if not currency:
        raise ValueError("no currency on the row or the account")
    return base.NormalizedDailyMetric(
        campaign_external_id=str(row["campaign"]["id"]),
        day=parse_day(row["segments"]["date"]),
        currency=currency,
        impressions=count_from(metrics.get("impressions", 0)),
        clicks=count_from(metrics.get("clicks", 0)),
        spend=micros_to_decimal(metrics.get("costMicros", 0)),
        conversions=decimal_from(metrics.get("conversions", 0)),
        conversion_value=decimal_from(metrics.get("conversionsValue", 0)),
    )


def classify_error(status: int, body: object) -> base.ConnectorError:
    error = body.get("error", {}) if isinstance(body, dict) else {}
    error = error if isinstance(error, dict) else {}
    message = str(error.get("message") or f"HTTP {status}")[:300]
    codes: dict[str, str] = {}
    retry_delay: float | None = None
    for detail in error.get("details", []) or []:
        if not isinstance(detail, dict):
            continue
        retry_delay = retry_delay or google_duration_seconds(detail.get("retryDelay"))
        for failure in detail.get("errors", []) or []:
            codes.update(failure.get("errorCode", {}))
            quota = failure.get("details", {}).get("quotaErrorDetails", {})
            retry_delay = retry_delay or google_duration_seconds(quota.get("retryDelay"))
            message = str(failure.get("message") or message)[:300]
    auth_code = codes.get("authenticationError")
    if status == 429 or "quotaError" in codes or error.get("status") == "RESOURCE_EXHAUSTED":
        return base.RateLimited(PLATFORM, message, retry_after=retry_delay)
    if status == 401:
        if auth_code in _REVOKED:
            return base.AuthRevoked(PLATFORM, f"{auth_code}: {message}")
        return base.TokenExpired(PLATFORM, f"{auth_code or 'UNAUTHENTICATED'}: {message}")
    return error_for_status(PLATFORM, status, message)


# --- I/O ------------------------------------------------------------------------------


class GoogleAdsConnector(OAuth2Connector):
    platform = PLATFORM

    def token_client(self) -> tuple[str, str, SecretStr]:
        e = self._endpoints
        return e.google_token_url, e.google_client_id, e.google_client_secret

    async def fetch_campaigns(
        self, account: base.AccountRef, credentials: base.Credentials
    ) -> list[base.NormalizedCampaign]:
        rows = await self._search(account, credentials, CAMPAIGNS_QUERY)
        with schema_guard(PLATFORM, "campaign"):
            return [map_campaign(row, account.currency) for row in rows]

    async def fetch_daily_metrics(
        self, account: base.AccountRef, credentials: base.Credentials, since: date, until: date
    ) -> list[base.NormalizedDailyMetric]:
        query = METRICS_QUERY.format(since=since.isoformat(), until=until.isoformat())
        if (until - since).days < self._endpoints.google_search_max_days:
            rows = await self._search(account, credentials, query)
        else:  # a long range: every row in one streamed answer instead of many pages
            rows = await self._search_stream(account, credentials, query)
        with schema_guard(PLATFORM, "metrics"):
            return [map_metric_row(row, account.currency) for row in rows]

    async def fetch_posts(
        self, account: base.AccountRef, credentials: base.Credentials, since: datetime | None
    ) -> list[base.NormalizedPost]:
        return []  # Google Ads has no organic content.

    def _endpoint(
        self, account: base.AccountRef, credentials: base.Credentials, method: str
    ) -> tuple[str, dict[str, str]]:
        e = self._endpoints
        customer_id = segment(account.account_id.replace("-", ""))
        version = e.google_ads_api_version
        url = f"{e.google_ads_base_url}{version}/customers/{customer_id}/googleAds:{method}"
        headers = {
            "Authorization": f"Bearer {credentials.access_token}",
            "developer-token": e.google_developer_token.get_secret_value(),
        }
        if e.google_login_customer_id:
            headers["login-customer-id"] = e.google_login_customer_id.replace("-", "")
        return url, headers

    async def _search_stream(
        self, account: base.AccountRef, credentials: base.Credentials, query: str
    ) -> list[dict[str, Any]]:
        """``googleAds:searchStream``: the REST answer is a JSON array of batches (up to
        10,000 rows each), all in one response, with no page tokens and no page limit."""
        url, headers = self._endpoint(account, credentials, "searchStream")
        reply = await self._http.send("POST", url, headers=headers, json_body={"query": query})
        if reply.status != 200:
            raise self._http.fail(
                classify_error(reply.status, reply.body), "POST", url, reply.status
            )
        batches = self._http.expect_json(reply, "searchStream")
        if not isinstance(batches, list) or not all(isinstance(b, dict) for b in batches):
            raise base.InvalidResponse(PLATFORM, "searchStream: expected an array of batches")
        rows: list[dict[str, Any]] = []
        for batch in batches:
            results = batch.get("results", [])
            if not isinstance(results, list):
                raise base.InvalidResponse(PLATFORM, "searchStream: expected 'results' lists")
            rows += results
        return rows

    async def _search(
        self, account: base.AccountRef, credentials: base.Credentials, query: str
    ) -> list[dict[str, Any]]:
        e = self._endpoints
        url, headers = self._endpoint(account, credentials, "search")

        async def read_page(page_token: str | None) -> tuple[list[dict[str, Any]], str | None]:
            body = {"query": query} | ({"pageToken": page_token} if page_token else {})
            reply = await self._http.send("POST", url, headers=headers, json_body=body)
            page = self._page(reply, url)
            return page.get("results", []), page.get("nextPageToken") or None

        return await collect_pages(PLATFORM, e.max_pages, read_page)

    def _page(self, reply: Reply, url: str) -> dict[str, Any]:
        if reply.status != 200:
            raise self._http.fail(
                classify_error(reply.status, reply.body), "POST", url, reply.status
            )
        page = self._http.expect_json(reply, "search")
        if not isinstance(page, dict) or not isinstance(page.get("results", []), list):
            raise base.InvalidResponse(PLATFORM, "search: expected an object with 'results'")
        return page
