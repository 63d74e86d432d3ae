"""Meta Graph API: ad campaigns and insights of an ad account, Facebook Page posts and
Instagram media.

Numbers arrive as strings; budgets in the currency's minor units, spend in major units.
Pages continue by ``paging.cursors.after`` while ``paging.next`` is present (we never follow
``next`` itself: it can carry the token in its query string). Rate limits come as error
codes in a 400 body and as usage headers we read on every answer. Meta has no refresh
flow: an expired user token needs the user to reconnect.

Insights over up to ``meta_insights_window_days`` are one synchronous call; a longer range
(a backfill, a first sync) goes through asynchronous report runs, as Meta asks for long ranges
and large breakdowns: ``POST act_{id}/insights`` starts a run, ``GET {report_run_id}`` is
polled (backing off) for ``async_status``, ``GET {report_run_id}/insights`` pages the rows. A
run that fails, is skipped or outlasts ``meta_report_timeout_s`` is retried as two halves
(:mod:`.ranges`), down to one day.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from cmis_shared.events import BudgetPeriod, Platform

from . import base
from .common import ConnectorBase, error_for_status, segment
from .config import PlatformEndpoints
from .convert import (
    count_from,
    day_in_zone,
    decimal_from,
    minor_units_to_decimal,
    parse_day,
    parse_timestamp,
)
from .paging import collect_pages
from .ranges import RangeTooBig, read_in_windows
from .throttle import meta_regain_access_seconds, meta_usage_fraction
from .transport import schema_guard

PLATFORM = Platform.META

CAMPAIGN_FIELDS = "id,name,status,daily_budget,lifetime_budget,start_time,stop_time"
REPORT_RUN_FIELDS = "id,async_status,async_percent_completion"
INSIGHT_FIELDS = (
    "campaign_id,spend,impressions,clicks,actions,action_values,account_currency,"
    "date_start,date_stop"
)
PAGE_POST_FIELDS = (
    "id,message,created_time,shares,reactions.summary(true).limit(0),"
    "comments.summary(true).limit(0)"
)
MEDIA_FIELDS = "id,caption,timestamp,like_count,comments_count"

_STATUS = {"ACTIVE": "active", "PAUSED": "paused", "DELETED": "removed", "ARCHIVED": "archived"}
_THROTTLE_CODES = {4, 17, 32, 613}
_EXPIRED_SUBCODE = 463


# --- mapping ------------------------------------------------------------------------


def map_campaign(item: dict[str, Any], currency: str, timezone: str) -> base.NormalizedCampaign:
    amount, period = None, None
    if int(item.get("daily_budget") or 0) > 0:
        amount = minor_units_to_decimal(item["daily_budget"], currency)
        period = BudgetPeriod.DAILY
    elif int(item.get("lifetime_budget") or 0) > 0:
        amount = minor_units_to_decimal(item["lifetime_budget"], currency)
        period = BudgetPeriod.LIFETIME
    start, stop = item.get("start_time"), item.get("stop_time")
    return base.NormalizedCampaign(
        external_id=str(item["id"]),
        name=str(item["name"]),
        status=_STATUS.get(item["status"], "unknown"),
        currency=currency,
        budget_amount=amount,
        budget_period=period,
        start_date=day_in_zone(parse_timestamp(start), timezone) if start else None,
        end_date=day_in_zone(parse_timestamp(stop), timezone) if stop else None,
    )


def _action_total(entries: list[dict[str, Any]] | None, action_type: str) -> Decimal:
    total = decimal_from(0)
    for entry in entries or []:
        if entry["action_type"] == action_type:
            total += decimal_from(entry["value"])
    return total


def map_insight(
    row: dict[str, Any], action_type: str, fallback_currency: str | None = None
) -> base.NormalizedDailyMetric:
    currency = row.get("account_currency") or fallback_currency
    if not currency:
        raise ValueError("no account_currency on the row or the account")
    return base.NormalizedDailyMetric(
        campaign_external_id=str(row["campaign_id"]),
        day=parse_day(row["date_start"]),
        currency=str(currency),
        impressions=count_from(row.get("impressions")),
        clicks=count_from(row.get("clicks")),
        spend=decimal_from(row["spend"]),
        conversions=_action_total(row.get("actions"), action_type),
        conversion_value=_action_total(row.get("action_values"), action_type),
    )


def map_page_post(item: dict[str, Any]) -> base.NormalizedPost:
    return base.NormalizedPost(
        external_id=str(item["id"]),
        text=str(item.get("message") or ""),
        published_at=parse_timestamp(item["created_time"]),
        likes=count_from(item.get("reactions", {}).get("summary", {}).get("total_count")),
        comments=count_from(item.get("comments", {}).get("summary", {}).get("total_count")),
        shares=count_from(item.get("shares", {}).get("count")),
    )


def map_media(item: dict[str, Any]) -> base.NormalizedPost:
    return base.NormalizedPost(
        external_id=str(item["id"]),
        text=str(item.get("caption") or ""),
        published_at=parse_timestamp(item["timestamp"]),
        likes=count_from(item.get("like_count")),
        comments=count_from(item.get("comments_count")),
    )


def classify_error(status: int, body: object, headers: Mapping[str, str]) -> base.ConnectorError:
    error = body.get("error", {}) if isinstance(body, dict) else {}
    error = error if isinstance(error, dict) else {}
    code = error.get("code")
    subcode = error.get("error_subcode")
    message = f"({code}/{subcode}) {str(error.get('message') or f'HTTP {status}')[:300]}"
    if code in _THROTTLE_CODES or (isinstance(code, int) and 80000 <= code <= 80014):
        return base.RateLimited(PLATFORM, message, retry_after=meta_regain_access_seconds(headers))
    if code == 190:
        if subcode == _EXPIRED_SUBCODE:
            return base.TokenExpired(PLATFORM, message)
        return base.AuthRevoked(PLATFORM, message)
    if code in (1, 2) or error.get("is_transient") is True:
        return base.TransientPlatformError(PLATFORM, message)
    return error_for_status(PLATFORM, status, message)


# --- I/O ----------------------------------------------------------------------------


def _insight_params(since: date, until: date) -> dict[str, str]:
    return {
        "level": "campaign",
        "time_increment": "1",
        "time_range": json.dumps({"since": since.isoformat(), "until": until.isoformat()}),
        "fields": INSIGHT_FIELDS,
    }


def _ad_account(account: base.AccountRef) -> str:
    """The ad account node: ``act_<id>``, whether the id was stored with the prefix or not."""
    return "act_" + segment(account.account_id.removeprefix("act_"))


class MetaConnector(ConnectorBase):
    platform = PLATFORM
    no_refresh_reason = "Meta user tokens cannot be refreshed; the user has to reconnect"

    def api_base(self, endpoints: PlatformEndpoints) -> str:
        return f"{endpoints.meta_graph_base_url}{endpoints.meta_api_version}/"

    async def fetch_campaigns(
        self, account: base.AccountRef, credentials: base.Credentials
    ) -> list[base.NormalizedCampaign]:
        currency = account.currency or await self._account_currency(account, credentials)
        items = await self._collect(
            f"{_ad_account(account)}/campaigns",
            credentials.access_token,
            {"fields": CAMPAIGN_FIELDS},
        )
        with schema_guard(PLATFORM, "campaign"):
            return [map_campaign(item, currency, account.timezone) for item in items]

    async def fetch_daily_metrics(
        self, account: base.AccountRef, credentials: base.Credentials, since: date, until: date
    ) -> list[base.NormalizedDailyMetric]:
        e, token = self._endpoints, credentials.access_token
        path = f"{_ad_account(account)}/insights"
        rows: list[dict[str, Any]] = []
        if (until - since).days < e.meta_insights_window_days:
            rows = await self._collect(path, token, _insight_params(since, until))
        else:  # a long range: asynchronous report runs, split when one fails or hangs

            async def report(start: date, end: date) -> list[dict[str, Any]]:
                return await self._report_run(path, token, start, end)

            def give_up(day: date, reason: str) -> base.ConnectorError:
                return base.PlatformTimeout(PLATFORM, f"insights report for {day}: {reason}")

            rows = await read_in_windows(since, until, e.meta_report_window_days, report, give_up)
        action_type = self._endpoints.meta_conversion_action_type
        with schema_guard(PLATFORM, "insights"):
            return [map_insight(row, action_type, account.currency) for row in rows]

    async def fetch_posts(
        self, account: base.AccountRef, credentials: base.Credentials, since: datetime | None
    ) -> list[base.NormalizedPost]:
        posts: list[base.NormalizedPost] = []
        if page_id := account.extra.get("page_id"):
            token = credentials.extra.get("page_access_token") or credentials.access_token
            params = {"fields": PAGE_POST_FIELDS}
            if since:
                params["since"] = str(int(since.timestamp()))
            items = await self._collect(f"{segment(page_id)}/posts", token, params)
            with schema_guard(PLATFORM, "page post"):
                posts += [map_page_post(item) for item in items]
        if ig_user_id := account.extra.get("ig_user_id"):
            items = await self._collect(
                f"{segment(ig_user_id)}/media", credentials.access_token, {"fields": MEDIA_FIELDS}
            )
            with schema_guard(PLATFORM, "instagram media"):
                media = [map_media(item) for item in items]
            # The media edge has no time filter; drop what the last sync already saw.
            posts += [m for m in media if since is None or m.published_at >= since]
        return posts

    async def _account_currency(
        self, account: base.AccountRef, credentials: base.Credentials
    ) -> str:
        page = await self._get(
            _ad_account(account), credentials.access_token, {"fields": "currency"}
        )
        with schema_guard(PLATFORM, "ad account"):
            return str(page["currency"])

    async def _collect(self, path: str, token: str, params: dict[str, str]) -> list[dict[str, Any]]:
        query = {**params, "limit": str(self._endpoints.meta_page_size)}

        async def read_page(after: str | None) -> tuple[list[dict[str, Any]], str | None]:
            page = await self._get(path, token, query | ({"after": after} if after else {}))
            data, paging = page.get("data"), page.get("paging") or {}
            if not isinstance(data, list):
                raise base.InvalidResponse(
                    PLATFORM, f"{path.rsplit('/', 1)[-1]}: expected 'data' list"
                )
            next_after = paging.get("cursors", {}).get("after")
            return data, next_after if paging.get("next") and next_after else None

        return await collect_pages(PLATFORM, self._endpoints.max_pages, read_page)

    async def _report_run(
        self, path: str, token: str, since: date, until: date
    ) -> list[dict[str, Any]]:
        """One asynchronous insights report: start it, poll it (backing off) until it
        completes, then page its rows. A run that fails, is skipped or outlasts the deadline
        is :class:`RangeTooBig`: the caller splits the range."""
        e, clock = self._endpoints, self._http.clock
        started = await self._call("POST", path, token, _insight_params(since, until))
        run_id = started.get("report_run_id")
        if not isinstance(run_id, str) or not run_id:
            raise base.InvalidResponse(PLATFORM, "insights report: expected 'report_run_id'")
        deadline, wait = clock() + e.meta_report_timeout_s, e.meta_report_poll_initial_s
        while True:
            await self._http.sleep(wait)
            run = await self._get(segment(run_id), token, {"fields": REPORT_RUN_FIELDS})
            status = run.get("async_status")
            if status == "Job Completed":
                return await self._collect(f"{segment(run_id)}/insights", token, {})
            if status in ("Job Failed", "Job Skipped"):
                raise RangeTooBig(f"report run {status}")
            if clock() + wait > deadline:
                raise RangeTooBig(f"report run not done after {e.meta_report_timeout_s:g} s")
            wait = min(wait * 2, e.meta_report_poll_max_s)

    async def _get(self, path: str, token: str, params: dict[str, str]) -> dict[str, Any]:
        return await self._call("GET", path, token, params)

    async def _call(
        self, method: str, path: str, token: str, params: dict[str, str]
    ) -> dict[str, Any]:
        url = self._base + path
        reply = await self._http.send(
            method, url, headers={"Authorization": f"Bearer {token}"}, params=params
        )
        if reply.status != 200:
            error = classify_error(reply.status, reply.body, reply.headers)
            raise self._http.fail(error, method, url, reply.status)
        await self._http.slow_down_if_busy(meta_usage_fraction(reply.headers))
        page = self._http.expect_json(reply, path.rsplit("/", 1)[-1])
        if not isinstance(page, dict):
            raise base.InvalidResponse(PLATFORM, "expected a JSON object")
        return page
