"""X: Ads API (campaigns, synchronous stats) and API v2 (organic posts), OAuth 1.0a.

Stats come as per-day arrays over at most 7 days per call and 20 campaigns per call;
index ``i`` is the account's day ``start + i`` (start and end are midnights in the
account's zone). ``null`` arrays mean no delivery. Spend is in micros. Limits are read from
``x-rate-limit-*`` and ``x-account-rate-limit-*``; a 429 says when the window resets.
OAuth 1.0a tokens never expire, so a 401 means the grant was revoked.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from cmis_shared.events import BudgetPeriod, Platform

from . import base
from .common import ConnectorBase, error_for_status
from .common import segment as quote_segment
from .config import PlatformEndpoints
from .convert import (
    count_from,
    date_windows,
    day_in_zone,
    micros_to_decimal,
    midnight_in_zone,
    parse_timestamp,
)
from .oauth1 import OAuth1Keys, authorization_header, encode_query
from .paging import collect_pages
from .throttle import epoch_reset_seconds, remaining_fraction_used
from .transport import schema_guard

PLATFORM = Platform.TWITTER
_STATS_IDS_PER_CALL = 20
_STATUS = {"ACTIVE": "active", "PAUSED": "paused", "DRAFT": "draft"}


# --- mapping ------------------------------------------------------------------------


def map_campaign(item: dict[str, Any], timezone: str) -> base.NormalizedCampaign:
    amount, period = None, None
    if item.get("daily_budget_amount_local_micro") is not None:
        amount, period = (
            micros_to_decimal(item["daily_budget_amount_local_micro"]),
            BudgetPeriod.DAILY,
        )
    elif item.get("total_budget_amount_local_micro") is not None:
        amount, period = (
            micros_to_decimal(item["total_budget_amount_local_micro"]),
            BudgetPeriod.LIFETIME,
        )
    start, end = item.get("start_time"), item.get("end_time")
    return base.NormalizedCampaign(
        external_id=str(item["id"]),
        name=str(item["name"]),
        status="removed" if item.get("deleted") else _STATUS.get(item["entity_status"], "unknown"),
        currency=str(item["currency"]),
        budget_amount=amount,
        budget_period=period,
        start_date=day_in_zone(parse_timestamp(start), timezone) if start else None,
        end_date=day_in_zone(parse_timestamp(end), timezone) if end else None,
    )


def _series(metrics: dict[str, Any], name: str, days: int) -> list[Any]:
    values = metrics.get(name)
    return list(values) if values is not None else [None] * days


def map_stats_entry(
    entry: dict[str, Any], start: date, days: int, currency: str
) -> list[base.NormalizedDailyMetric]:
    metrics: dict[str, Any] = {}
    for segment in entry["id_data"]:
        metrics = segment["metrics"] or {}
    purchases = metrics.get("conversion_purchases") or {}
    series = {
        "impressions": _series(metrics, "impressions", days),
        "clicks": _series(metrics, "clicks", days),
        "spend": _series(metrics, "billed_charge_local_micro", days),
        "conversions": _series(purchases, "metric", days),
        "value": _series(purchases, "sale_amount", days),
    }
    if any(len(values) != days for values in series.values()):
        raise ValueError(f"stats series shorter or longer than {days} days")
    return [
        base.NormalizedDailyMetric(
            campaign_external_id=str(entry["id"]),
            day=start + timedelta(days=i),
            currency=currency,
            impressions=count_from(series["impressions"][i]),
            clicks=count_from(series["clicks"][i]),
            spend=micros_to_decimal(series["spend"][i] or 0),
            conversions=Decimal(count_from(series["conversions"][i])),
            conversion_value=micros_to_decimal(series["value"][i] or 0),
        )
        for i in range(days)
    ]


def map_tweet(item: dict[str, Any]) -> base.NormalizedPost:
    metrics = item.get("public_metrics") or {}
    return base.NormalizedPost(
        external_id=str(item["id"]),
        text=str(item.get("text") or ""),
        published_at=parse_timestamp(item["created_at"]),
        likes=count_from(metrics.get("like_count")),
        comments=count_from(metrics.get("reply_count")),
        shares=count_from(metrics.get("retweet_count")) + count_from(metrics.get("quote_count")),
        impressions=count_from(metrics.get("impression_count")),
    )


def classify_error(status: int, body: object, retry_after: float | None) -> base.ConnectorError:
    body = body if isinstance(body, dict) else {}
    errors = body.get("errors") if isinstance(body.get("errors"), list) else []
    first = errors[0] if errors and isinstance(errors[0], dict) else {}
    detail = first.get("message") or body.get("detail") or f"HTTP {status}"
    message = f"{first.get('code') or body.get('title') or status}: {str(detail)[:300]}"
    if status == 429:
        return base.RateLimited(PLATFORM, message, retry_after=retry_after)
    if status == 401:
        return base.AuthRevoked(PLATFORM, message)
    return error_for_status(PLATFORM, status, message)


# --- I/O ----------------------------------------------------------------------------


class TwitterConnector(ConnectorBase):
    platform = PLATFORM
    no_refresh_reason = "X OAuth 1.0a tokens do not expire; a refused one was revoked"

    def api_base(self, endpoints: PlatformEndpoints) -> str:
        return f"{endpoints.x_ads_base_url}{endpoints.x_ads_api_version}/"

    async def fetch_campaigns(
        self, account: base.AccountRef, credentials: base.Credentials
    ) -> list[base.NormalizedCampaign]:
        items = await self._campaign_items(account, credentials)
        with schema_guard(PLATFORM, "campaign"):
            return [map_campaign(item, account.timezone) for item in items]

    async def fetch_daily_metrics(
        self, account: base.AccountRef, credentials: base.Credentials, since: date, until: date
    ) -> list[base.NormalizedDailyMetric]:
        items = await self._campaign_items(account, credentials)
        with schema_guard(PLATFORM, "campaign"):
            ids = [str(item["id"]) for item in items]
            currency = account.currency or (str(items[0]["currency"]) if items else "")
        rows: list[base.NormalizedDailyMetric] = []
        for start, end in date_windows(since, until, self._endpoints.x_stats_window_days):
            days = (end - start).days + 1
            for offset in range(0, len(ids), _STATS_IDS_PER_CALL):
                query = {
                    "entity": "CAMPAIGN",
                    "entity_ids": ",".join(ids[offset : offset + _STATS_IDS_PER_CALL]),
                    "start_time": midnight_in_zone(start, account.timezone).isoformat(),
                    "end_time": midnight_in_zone(
                        end + timedelta(days=1), account.timezone
                    ).isoformat(),
                    "granularity": "DAY",
                    "metric_groups": "ENGAGEMENT,BILLING,WEB_CONVERSION",
                    "placement": "ALL_ON_TWITTER",
                }
                page = await self._get(
                    f"{self._base}stats/accounts/{quote_segment(account.account_id)}",
                    query,
                    credentials,
                )
                with schema_guard(PLATFORM, "stats"):
                    for entry in page["data"]:
                        rows += map_stats_entry(entry, start, days, currency)
        return rows

    async def fetch_posts(
        self, account: base.AccountRef, credentials: base.Credentials, since: datetime | None
    ) -> list[base.NormalizedPost]:
        user_id = account.extra.get("user_id")
        if not user_id:
            return []
        query = {"tweet.fields": "created_at,public_metrics", "max_results": "100"}
        if since:
            query["start_time"] = since.strftime("%Y-%m-%dT%H:%M:%SZ")

        async def read_page(token: str | None) -> tuple[list[base.NormalizedPost], str | None]:
            page = await self._get(
                f"{self._endpoints.x_api_base_url}users/{quote_segment(user_id)}/tweets",
                query | ({"pagination_token": token} if token else {}),
                credentials,
            )
            with schema_guard(PLATFORM, "post"):
                posts = [map_tweet(item) for item in page.get("data", [])]
                next_token = (page.get("meta") or {}).get("next_token")
            return posts, str(next_token) if next_token else None

        return await collect_pages(PLATFORM, self._endpoints.max_pages, read_page)

    async def _campaign_items(
        self, account: base.AccountRef, credentials: base.Credentials
    ) -> list[dict[str, Any]]:
        url = f"{self._base}accounts/{quote_segment(account.account_id)}/campaigns"
        query = {"count": str(self._endpoints.x_page_size), "with_deleted": "true"}

        async def read_page(cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
            page = await self._get(url, query | ({"cursor": cursor} if cursor else {}), credentials)
            with schema_guard(PLATFORM, "campaign page"):
                return page["data"], str(page["next_cursor"]) if page.get("next_cursor") else None

        return await collect_pages(PLATFORM, self._endpoints.max_pages, read_page)

    def _keys(self, credentials: base.Credentials) -> OAuth1Keys:
        token_secret = credentials.extra.get("token_secret")
        if not token_secret:
            raise base.ConfigError(PLATFORM, "credentials lack the OAuth 1.0a token secret")
        return OAuth1Keys(
            self._endpoints.x_consumer_key,
            self._endpoints.x_consumer_secret.get_secret_value(),
            credentials.access_token,
            token_secret,
        )

    async def _get(
        self, url: str, query: dict[str, str], credentials: base.Credentials
    ) -> dict[str, Any]:
        auth = authorization_header("GET", url, query, self._keys(credentials))
        full_url = f"{url}?{encode_query(query)}"
        reply = await self._http.send("GET", full_url, headers={"Authorization": auth})
        now = self._http.now()
        if reply.status != 200:
            wait = epoch_reset_seconds(reply.headers.get("x-rate-limit-reset"), now)
            if wait is None:
                wait = epoch_reset_seconds(reply.headers.get("x-account-rate-limit-reset"), now)
            raise self._http.fail(
                classify_error(reply.status, reply.body, wait), "GET", url, reply.status
            )
        h = reply.headers
        await self._http.slow_down_if_busy(
            max(
                remaining_fraction_used(
                    h.get("x-rate-limit-limit"), h.get("x-rate-limit-remaining")
                ),
                remaining_fraction_used(
                    h.get("x-account-rate-limit-limit"), h.get("x-account-rate-limit-remaining")
                ),
            )
        )
        page = self._http.expect_json(reply, url.rsplit("/", 1)[-1])
        if not isinstance(page, dict):
            raise base.InvalidResponse(PLATFORM, "expected a JSON object")
        return page
