"""Each connector's mapping parses the platforms' own response samples (see fixtures/README.md)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from cmis_sync_worker.connectors import google_ads, linkedin, meta, tiktok, twitter
from cmis_sync_worker.connectors.base import NormalizedDailyMetric, RateLimited

pytestmark = pytest.mark.unit
FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str) -> Any:
    # As the transport does: fractional JSON numbers become Decimal, never float.
    return json.loads((FIXTURES / name).read_text(), parse_float=Decimal)


def test_meta_insights_docs_sample() -> None:
    row = load("meta_insights_docs.json")["data"][0]
    metric = meta.map_insight(row, "purchase", fallback_currency="USD")
    assert metric == NormalizedDailyMetric(
        campaign_external_id="23850000000000001",
        day=date(2025, 3, 14),
        currency="USD",
        impressions=361324,
        spend=Decimal("5339.5"),
    )


def test_google_search_rows_with_proto3_zero_omission() -> None:
    page = load("google_search_response.json")
    first, second = (google_ads.map_metric_row(row, None) for row in page["results"])
    assert first.spend == Decimal("209.44") and first.currency == "EUR"
    assert first.conversions == Decimal("2.5") and first.conversion_value == Decimal("120.1")
    assert (second.impressions, second.spend, second.conversions) == (0, 0, 0)


def test_google_unknown_metric_field_is_schema_drift() -> None:
    row = load("google_search_response.json")["results"][0]
    row["metrics"]["costMicrosV2"] = row["metrics"].pop("costMicros")
    with pytest.raises(ValueError, match="costMicrosV2"):
        google_ads.map_metric_row(row, None)


def test_google_quota_error_carries_retry_delay() -> None:
    error = google_ads.classify_error(429, load("google_quota_error.json"))
    assert isinstance(error, RateLimited) and error.retry_after == 30
    assert "Retry in 30 seconds" in error.platform_message


def test_tiktok_report_envelope_with_dash_metrics() -> None:
    rows = load("tiktok_report_envelope.json")["data"]["list"]
    busy, empty = (tiktok.map_report_row(row, "USD") for row in rows)
    assert busy.spend == Decimal("12.34") and busy.conversion_value == Decimal("45.60")
    assert busy.day == date(2024, 1, 1) and busy.conversions == 3
    assert (empty.impressions, empty.spend) == (0, 0)


def test_linkedin_analytics_sample() -> None:
    element = load("linkedin_analytics.json")["elements"][0]
    metric = linkedin.map_analytics(element, "USD")
    assert metric == NormalizedDailyMetric(
        "123", date(2024, 1, 1), "USD", 19090, 100, Decimal("209.44")
    )


def test_x_stats_per_day_arrays_and_nulls() -> None:
    entries = load("x_stats.json")["data"]
    rows = twitter.map_stats_entry(entries[0], date(2024, 1, 1), 3, "USD")
    assert [r.spend for r in rows] == [Decimal("3.45"), 0, Decimal("2.1")]
    assert [r.day for r in rows] == [date(2024, 1, 1), date(2024, 1, 2), date(2024, 1, 3)]
    silent = twitter.map_stats_entry(entries[1], date(2024, 1, 1), 3, "USD")
    assert all(r.impressions == 0 and r.spend == 0 for r in silent)


def test_x_stats_series_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(ValueError):
        twitter.map_stats_entry(load("x_stats.json")["data"][0], date(2024, 1, 1), 7, "USD")


def test_meta_throttle_body_is_rate_limited_with_usage_wait() -> None:
    headers = {
        "x-business-use-case-usage": json.dumps({"1": [{"estimated_time_to_regain_access": 5}]})
    }
    error = meta.classify_error(400, load("meta_throttle_error.json"), headers)
    assert isinstance(error, RateLimited) and error.retry_after == 300
