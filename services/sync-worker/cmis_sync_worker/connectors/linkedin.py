"""LinkedIn Marketing API (versioned ``/rest``): ad campaigns, ad analytics, organization
posts with their share statistics.

Rest.li 2.0 encodes lists and records in the query string (``List(urn%3Ali%3A...)``,
``(start:(year:2024,...))``) so those URLs are built by hand here. Money arrives as decimal
strings, schedules as epoch milliseconds. Analytics is not paginated and answers at most
``linkedin_analytics_max_elements`` (15,000) elements, campaigns x days: a range is read in
windows of ``linkedin_analytics_window_days``, halved when LinkedIn says a window asks for too
many elements or an answer comes back full (possibly cut) (:mod:`.ranges`). HTTP 429 with a
``DAY`` limit is a daily quota that resets at midnight UTC: :class:`QuotaExhausted`.
Analytics days are UTC days (LinkedIn reports in UTC, not in the account's zone).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from pydantic import SecretStr

from cmis_shared.events import BudgetPeriod, Platform

from . import base
from .common import OAuth2Connector, error_for_status, segment
from .convert import (
    count_from,
    day_in_zone,
    decimal_from,
    epoch_ms_to_datetime,
    seconds_until_utc_midnight,
)
from .paging import collect_pages
from .ranges import RangeTooBig, read_in_windows
from .throttle import retry_after_seconds
from .transport import schema_guard

PLATFORM = Platform.LINKEDIN
# LinkedIn's refusal of an analytics query whose answer would hold too many elements.
_TOO_MANY = re.compile(r"(too many|more than [\d,]+) (elements|results)", re.IGNORECASE)

ANALYTICS_FIELDS = (
    "dateRange,pivotValues,impressions,clicks,costInLocalCurrency,"
    "externalWebsiteConversions,conversionValueInLocalCurrency"
)
_STATUS = {
    "ACTIVE": "active",
    "PAUSED": "paused",
    "ARCHIVED": "archived",
    "COMPLETED": "archived",
    "DRAFT": "draft",
    "CANCELED": "removed",
    "PENDING_DELETION": "removed",
    "REMOVED": "removed",
}
_REVOKED_CODES = {65601}
_STATS_BATCH = 20  # keeps the Rest.li List(...) inside sane URL lengths


ORGANIZATION_URN = "urn:li:organization:"


def urn_list(urns: list[str]) -> str:
    return "List(" + ",".join(quote(urn, safe="") for urn in urns) + ")"


def restli_date_range(since: date, until: date) -> str:
    def one(d: date) -> str:
        return f"(year:{d.year},month:{d.month},day:{d.day})"

    return f"(start:{one(since)},end:{one(until)})"


# --- mapping ------------------------------------------------------------------------


def map_campaign(
    item: dict[str, Any], fallback_currency: str | None, timezone: str
) -> base.NormalizedCampaign:
    amount, period, currency = None, None, fallback_currency
    for key, kind in (("dailyBudget", BudgetPeriod.DAILY), ("totalBudget", BudgetPeriod.LIFETIME)):
        if budget := item.get(key):
            amount, period = decimal_from(budget["amount"]), kind
            currency = budget["currencyCode"]
            break
    if not currency:
        raise ValueError("no currency on the campaign or the account")
    schedule = item.get("runSchedule") or {}
    start, end = schedule.get("start"), schedule.get("end")
    return base.NormalizedCampaign(
        external_id=str(item["id"]),
        name=str(item["name"]),
        status=_STATUS.get(item["status"], "unknown"),
        currency=currency,
        budget_amount=amount,
        budget_period=period,
        start_date=day_in_zone(epoch_ms_to_datetime(start), timezone) if start else None,
        end_date=day_in_zone(epoch_ms_to_datetime(end), timezone) if end else None,
    )


def map_analytics(element: dict[str, Any], currency: str) -> base.NormalizedDailyMetric:
    start = element["dateRange"]["start"]
    urn = str(element["pivotValues"][0])
    return base.NormalizedDailyMetric(
        campaign_external_id=urn.rsplit(":", 1)[-1],
        day=date(start["year"], start["month"], start["day"]),
        currency=currency,
        impressions=count_from(element.get("impressions", 0)),
        clicks=count_from(element.get("clicks", 0)),
        spend=decimal_from(element["costInLocalCurrency"]),
        conversions=decimal_from(element.get("externalWebsiteConversions", 0)),
        conversion_value=decimal_from(element.get("conversionValueInLocalCurrency", "0")),
    )


def map_post(item: dict[str, Any], stats: dict[str, Any]) -> base.NormalizedPost:
    return base.NormalizedPost(
        external_id=str(item["id"]),
        text=str(item.get("commentary") or ""),
        published_at=epoch_ms_to_datetime(item["publishedAt"]),
        likes=count_from(stats.get("likeCount")),
        comments=count_from(stats.get("commentCount")),
        shares=count_from(stats.get("shareCount")),
        impressions=count_from(stats.get("impressionCount")),
    )


def classify_error(
    status: int, body: object, retry_after: float | None, now: datetime
) -> base.ConnectorError:
    body = body if isinstance(body, dict) else {}
    message = str(body.get("message") or f"HTTP {status}")[:300]
    service_code = body.get("serviceErrorCode")
    if status == 429:
        if "DAY" in message.upper():
            return base.QuotaExhausted(
                PLATFORM, message, retry_after=seconds_until_utc_midnight(now)
            )
        return base.RateLimited(PLATFORM, message, retry_after=retry_after)
    if status == 401:
        if service_code in _REVOKED_CODES or body.get("code") == "REVOKED_ACCESS_TOKEN":
            return base.AuthRevoked(PLATFORM, message)
        return base.TokenExpired(PLATFORM, message)
    return error_for_status(PLATFORM, status, message)


# --- I/O ----------------------------------------------------------------------------


class LinkedInConnector(OAuth2Connector):
    platform = PLATFORM

    def token_client(self) -> tuple[str, str, SecretStr]:
        e = self._endpoints
        return e.linkedin_token_url, e.linkedin_client_id, e.linkedin_client_secret

    async def fetch_campaigns(
        self, account: base.AccountRef, credentials: base.Credentials
    ) -> list[base.NormalizedCampaign]:

        async def read_page(token: str | None) -> tuple[list[dict[str, Any]], str | None]:
            query = f"q=search&pageSize={self._endpoints.linkedin_page_size}"
            query += f"&pageToken={quote(token, safe='')}" if token else ""
            page = await self._get(
                f"adAccounts/{segment(account.account_id)}/adCampaigns?{query}", credentials
            )
            with schema_guard(PLATFORM, "campaign page"):
                return page["elements"], (page.get("metadata") or {}).get("nextPageToken") or None

        items = await collect_pages(PLATFORM, self._endpoints.max_pages, read_page)
        currency = account.currency
        if currency is None and not all(
            i.get("dailyBudget") or i.get("totalBudget") for i in items
        ):
            currency = await self._account_currency(account, credentials)
        with schema_guard(PLATFORM, "campaign"):
            return [map_campaign(item, currency, account.timezone) for item in items]

    async def fetch_daily_metrics(
        self, account: base.AccountRef, credentials: base.Credentials, since: date, until: date
    ) -> list[base.NormalizedDailyMetric]:
        currency = account.currency or await self._account_currency(account, credentials)
        e = self._endpoints

        async def analytics(start: date, end: date) -> list[dict[str, Any]]:
            query = (
                "q=analytics&pivot=CAMPAIGN&timeGranularity=DAILY"
                f"&dateRange={restli_date_range(start, end)}"
                f"&accounts={urn_list([f'urn:li:sponsoredAccount:{account.account_id}'])}"
                f"&fields={ANALYTICS_FIELDS}"
            )
            try:
                page = await self._get(f"adAnalytics?{query}", credentials)
            except base.ConfigError as error:
                if _TOO_MANY.search(str(error)):
                    raise RangeTooBig(str(error)) from error
                raise
            elements = page.get("elements")
            if not isinstance(elements, list):
                raise base.InvalidResponse(PLATFORM, "analytics: expected 'elements' list")
            if len(elements) >= e.linkedin_analytics_max_elements and start < end:
                raise RangeTooBig("a full answer may have been cut")  # no pagination here
            return elements

        def give_up(day: date, reason: str) -> base.ConnectorError:
            return base.InvalidResponse(PLATFORM, f"analytics for {day}: {reason}")

        elements = await read_in_windows(
            since, until, e.linkedin_analytics_window_days, analytics, give_up
        )
        with schema_guard(PLATFORM, "analytics"):
            return [map_analytics(element, currency) for element in elements]

    async def fetch_posts(
        self, account: base.AccountRef, credentials: base.Credentials, since: datetime | None
    ) -> list[base.NormalizedPost]:
        org_id = account.extra.get("organization_id")
        if not org_id:
            return []
        org = f"urn:li:organization:{org_id.removeprefix(ORGANIZATION_URN)}"
        items = await self._org_posts(org, credentials)
        with schema_guard(PLATFORM, "post"):
            items = [
                i for i in items if since is None or epoch_ms_to_datetime(i["publishedAt"]) >= since
            ]
        stats = await self._share_statistics(org, [str(i["id"]) for i in items], credentials)
        with schema_guard(PLATFORM, "post"):
            return [map_post(item, stats.get(str(item["id"]), {})) for item in items]

    async def _org_posts(self, org: str, credentials: base.Credentials) -> list[dict[str, Any]]:
        count = self._endpoints.linkedin_page_size

        async def read_page(start: int | None) -> tuple[list[dict[str, Any]], int | None]:
            start = start or 0
            page = await self._get(
                f"posts?author={quote(org, safe='')}&q=author&start={start}&count={count}",
                credentials,
            )
            with schema_guard(PLATFORM, "post page"):
                batch = page["elements"]
                total = page.get("paging", {}).get("total")
            start += len(batch)
            # Trust "total" when present: the platform may serve fewer than we asked for.
            done = start >= total if isinstance(total, int) else len(batch) < count
            return batch, None if done or not batch else start

        return await collect_pages(PLATFORM, self._endpoints.max_pages, read_page)

    async def _share_statistics(
        self, org: str, post_ids: list[str], credentials: base.Credentials
    ) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for kind in ("share", "ugcPost"):
            ids = [p for p in post_ids if p.startswith(f"urn:li:{kind}:")]
            for offset in range(0, len(ids), _STATS_BATCH):
                batch = ids[offset : offset + _STATS_BATCH]
                path = (
                    "organizationalEntityShareStatistics?q=organizationalEntity"
                    f"&organizationalEntity={quote(org, safe='')}&{kind}s={urn_list(batch)}"
                )
                page = await self._get(path, credentials)
                with schema_guard(PLATFORM, "share statistics"):
                    for element in page["elements"]:
                        found[str(element[kind])] = element["totalShareStatistics"]
        return found

    async def _account_currency(
        self, account: base.AccountRef, credentials: base.Credentials
    ) -> str:
        page = await self._get(f"adAccounts/{segment(account.account_id)}", credentials)
        with schema_guard(PLATFORM, "ad account"):
            return str(page["currency"])

    async def _get(self, path_and_query: str, credentials: base.Credentials) -> dict[str, Any]:
        url = self._endpoints.linkedin_base_url + path_and_query
        headers = {
            "Authorization": f"Bearer {credentials.access_token}",
            "Linkedin-Version": self._endpoints.linkedin_version,
            "X-Restli-Protocol-Version": "2.0.0",
        }
        reply = await self._http.send("GET", url, headers=headers)
        if reply.status != 200:
            now = self._http.now()
            wait = retry_after_seconds(reply.headers.get("retry-after"), now)
            raise self._http.fail(
                classify_error(reply.status, reply.body, wait, now), "GET", url, reply.status
            )
        page = self._http.expect_json(reply, path_and_query.split("?")[0])
        if not isinstance(page, dict):
            raise base.InvalidResponse(PLATFORM, "expected a JSON object")
        return page
