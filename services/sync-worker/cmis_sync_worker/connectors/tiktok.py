"""TikTok: Marketing API (campaigns, integrated reports) and Open API (organic videos).

Every Marketing API answer is HTTP 200 with an envelope ``{"code", "message", "data"}``;
``code`` 0 is success, 40100 is the rate limit, 40105 a revoked or invalid token. Report
metrics are strings and ``"-"`` means "no data". Reports take at most 30 days per call.
Tokens are long-lived with no refresh flow. The Open API is a different host with Bearer
tokens, cursor paging and its own ``error.code`` strings.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from cmis_shared.events import BudgetPeriod, Platform

from . import base
from .common import ConnectorBase, error_for_status
from .config import PlatformEndpoints
from .convert import count_from, date_windows, decimal_from, epoch_seconds_to_datetime, parse_day
from .paging import collect_pages
from .throttle import retry_after_seconds
from .transport import Reply, schema_guard

PLATFORM = Platform.TIKTOK

CAMPAIGN_FIELDS = [
    "campaign_id",
    "campaign_name",
    "operation_status",
    "secondary_status",
    "budget",
    "budget_mode",
]
# total_complete_payment_rate is, despite its name, the total value of web purchases.
REPORT_METRICS = ["spend", "impressions", "clicks", "conversion", "total_complete_payment_rate"]
VIDEO_FIELDS = (
    "id,title,video_description,create_time,like_count,comment_count,share_count,view_count"
)

_RATE_LIMIT, _TOKEN_EXPIRED, _TOKEN_INVALID = 40100, 40102, 40105
_BUDGET_PERIOD = {"BUDGET_MODE_DAY": BudgetPeriod.DAILY, "BUDGET_MODE_TOTAL": BudgetPeriod.LIFETIME}
_DELETED = "CAMPAIGN_STATUS_DELETE"


# --- mapping ------------------------------------------------------------------------


def _metric(value: Any) -> Any:
    return 0 if value in (None, "-", "") else value


def map_campaign(item: dict[str, Any], currency: str) -> base.NormalizedCampaign:
    period = _BUDGET_PERIOD.get(item.get("budget_mode", ""))
    if item.get("secondary_status") == _DELETED:
        status = "removed"
    else:
        status = {"ENABLE": "active", "DISABLE": "paused"}.get(item["operation_status"], "unknown")
    return base.NormalizedCampaign(
        external_id=str(item["campaign_id"]),
        name=str(item["campaign_name"]),
        status=status,
        currency=currency,
        budget_amount=decimal_from(item["budget"]) if period else None,
        budget_period=period,
    )


def map_report_row(row: dict[str, Any], currency: str) -> base.NormalizedDailyMetric:
    dims, metrics = row["dimensions"], row["metrics"]
    return base.NormalizedDailyMetric(
        campaign_external_id=str(dims["campaign_id"]),
        day=parse_day(dims["stat_time_day"]),
        currency=currency,
        impressions=count_from(_metric(metrics["impressions"])),
        clicks=count_from(_metric(metrics["clicks"])),
        spend=decimal_from(_metric(metrics["spend"])),
        conversions=decimal_from(_metric(metrics["conversion"])),
        conversion_value=decimal_from(_metric(metrics["total_complete_payment_rate"])),
    )


def map_video(item: dict[str, Any]) -> base.NormalizedPost:
    return base.NormalizedPost(
        external_id=str(item["id"]),
        text=str(item.get("video_description") or item.get("title") or ""),
        published_at=epoch_seconds_to_datetime(item["create_time"]),
        likes=count_from(item.get("like_count")),
        comments=count_from(item.get("comment_count")),
        shares=count_from(item.get("share_count")),
        impressions=count_from(item.get("view_count")),
    )


def classify_envelope(code: int, message: str) -> base.ConnectorError:
    text = f"({code}) {message[:300]}"
    if code == _RATE_LIMIT:
        return base.RateLimited(PLATFORM, text)
    if code == _TOKEN_INVALID:
        return base.AuthRevoked(PLATFORM, text)
    if code == _TOKEN_EXPIRED:
        return base.TokenExpired(PLATFORM, text)
    if code >= 50000:
        return base.TransientPlatformError(PLATFORM, text)
    return base.ConfigError(PLATFORM, text)


def classify_open_api_error(
    status: int, error: dict[str, Any], retry_after: float | None
) -> base.ConnectorError:
    code, message = (
        str(error.get("code")),
        f"{error.get('code')}: {str(error.get('message'))[:300]}",
    )
    if status == 429 or code == "rate_limit_exceeded":
        return base.RateLimited(PLATFORM, message, retry_after=retry_after)
    if code == "access_token_invalid" or status == 401:
        return base.AuthRevoked(PLATFORM, message)
    return error_for_status(PLATFORM, status, message)


# --- I/O ----------------------------------------------------------------------------


class TikTokConnector(ConnectorBase):
    platform = PLATFORM
    no_refresh_reason = "TikTok tokens cannot be refreshed; the user has to reconnect"

    def api_base(self, endpoints: PlatformEndpoints) -> str:
        return f"{endpoints.tiktok_business_base_url}{endpoints.tiktok_api_version}/"

    async def fetch_campaigns(
        self, account: base.AccountRef, credentials: base.Credentials
    ) -> list[base.NormalizedCampaign]:
        currency = account.currency or await self._currency(account, credentials)
        params = {"advertiser_id": account.account_id, "fields": json.dumps(CAMPAIGN_FIELDS)}
        items = await self._pages("campaign/get/", credentials, params)
        with schema_guard(PLATFORM, "campaign"):
            return [map_campaign(item, currency) for item in items]

    async def fetch_daily_metrics(
        self, account: base.AccountRef, credentials: base.Credentials, since: date, until: date
    ) -> list[base.NormalizedDailyMetric]:
        currency = account.currency or await self._currency(account, credentials)
        rows: list[dict[str, Any]] = []
        for start, end in date_windows(since, until, self._endpoints.tiktok_report_window_days):
            params = {
                "advertiser_id": account.account_id,
                "report_type": "BASIC",
                "data_level": "AUCTION_CAMPAIGN",
                "dimensions": json.dumps(["campaign_id", "stat_time_day"]),
                "metrics": json.dumps(REPORT_METRICS),
                "start_date": start.isoformat(),
                "end_date": end.isoformat(),
            }
            rows += await self._pages("report/integrated/get/", credentials, params)
        with schema_guard(PLATFORM, "report"):
            return [map_report_row(row, currency) for row in rows]

    async def fetch_posts(
        self, account: base.AccountRef, credentials: base.Credentials, since: datetime | None
    ) -> list[base.NormalizedPost]:
        token = credentials.extra.get("creator_access_token") or credentials.access_token
        url = f"{self._endpoints.tiktok_open_base_url}video/list/"

        async def read_page(cursor: int | None) -> tuple[list[base.NormalizedPost], int | None]:
            body: dict[str, int] = {"max_count": 20} | ({"cursor": cursor} if cursor else {})
            reply = await self._http.send(
                "POST",
                url,
                headers={"Authorization": f"Bearer {token}"},
                params={"fields": VIDEO_FIELDS},
                json_body=body,
            )
            data = self._open_api_data(reply, url)
            with schema_guard(PLATFORM, "video"):
                batch = [map_video(item) for item in data["videos"]]
                has_more, next_cursor = bool(data["has_more"]), int(data["cursor"])
            # Newest first and no server-side time filter: stop once past what we have.
            fresh = [post for post in batch if since is None or post.published_at >= since]
            return fresh, None if not has_more or len(fresh) < len(batch) else next_cursor

        return await collect_pages(PLATFORM, self._endpoints.max_pages, read_page)

    async def _currency(self, account: base.AccountRef, credentials: base.Credentials) -> str:
        params = {
            "advertiser_ids": json.dumps([account.account_id]),
            "fields": json.dumps(["currency"]),
        }
        data = await self._get("advertiser/info/", credentials, params)
        with schema_guard(PLATFORM, "advertiser"):
            return str(data["list"][0]["currency"])

    async def _pages(
        self, path: str, credentials: base.Credentials, params: dict[str, str]
    ) -> list[dict[str, Any]]:

        async def read_page(page: int | None) -> tuple[list[dict[str, Any]], int | None]:
            page = page or 1
            query = {
                **params,
                "page": str(page),
                "page_size": str(self._endpoints.tiktok_page_size),
            }
            data = await self._get(path, credentials, query)
            with schema_guard(PLATFORM, path.split("/")[0]):
                items = data["list"]
                total_pages = int(data["page_info"]["total_page"])
            return items, None if page >= total_pages else page + 1

        return await collect_pages(PLATFORM, self._endpoints.max_pages, read_page)

    async def _get(
        self, path: str, credentials: base.Credentials, params: dict[str, str]
    ) -> dict[str, Any]:
        url = self._base + path
        reply = await self._http.send(
            "GET", url, headers={"Access-Token": credentials.access_token}, params=params
        )
        if reply.status != 200:
            error: base.ConnectorError
            if reply.status == 429:
                wait = retry_after_seconds(reply.headers.get("retry-after"), self._http.now())
                error = base.RateLimited(PLATFORM, "HTTP 429", retry_after=wait)
            else:
                error = error_for_status(PLATFORM, reply.status, f"HTTP {reply.status}")
            raise self._http.fail(error, "GET", url, reply.status)
        envelope = self._http.expect_json(reply, path)
        if not isinstance(envelope, dict) or not isinstance(envelope.get("code"), int):
            raise base.InvalidResponse(
                PLATFORM, f"{path}: expected an envelope with an integer 'code'"
            )
        if envelope["code"] != 0:
            error = classify_envelope(envelope["code"], str(envelope.get("message", "")))
            raise self._http.fail(error, "GET", url, reply.status)
        data = envelope.get("data")
        if not isinstance(data, dict):
            raise base.InvalidResponse(PLATFORM, f"{path}: envelope without 'data'")
        return data

    def _open_api_data(self, reply: Reply, url: str) -> dict[str, Any]:
        body = reply.body if isinstance(reply.body, dict) else {}
        raw_error = body.get("error")
        error: dict[str, Any] = raw_error if isinstance(raw_error, dict) else {}
        if reply.status != 200 or error.get("code") not in (None, "ok"):
            wait = retry_after_seconds(reply.headers.get("retry-after"), self._http.now())
            raise self._http.fail(
                classify_open_api_error(reply.status, error, wait), "POST", url, reply.status
            )
        self._http.expect_json(reply, "video/list")
        data = body.get("data")
        if not isinstance(data, dict):
            raise base.InvalidResponse(PLATFORM, "video/list: answer without 'data'")
        return data
