"""The pure parts of the chart and table routes: cursors, freshness, series buckets."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from cmis_dashboard_api.domain.cursor import Cursor, InvalidCursorError, decode_cursor
from cmis_dashboard_api.domain.freshness import combined, freshness
from cmis_dashboard_api.domain.series import Series

pytestmark = pytest.mark.unit
ROW = "6f1c2f4e-8a51-4c86-9a4b-1d3f5e7a9b10"


def test_a_cursor_round_trips_and_refuses_other_sorts_and_forgeries() -> None:
    cursor = Cursor("spend:desc", "1234.500000", ROW)
    assert decode_cursor(cursor.encode(), "spend:desc", "numeric") == cursor
    assert cursor.typed_key("numeric") == Decimal("1234.5")
    with pytest.raises(InvalidCursorError):
        decode_cursor(cursor.encode(), "ctr:desc", "numeric")
    with pytest.raises(InvalidCursorError):
        decode_cursor(Cursor("spend:desc", "NaN", ROW).encode(), "spend:desc", "numeric")
    with pytest.raises(InvalidCursorError):
        decode_cursor(Cursor("x", "2024-01-01", ROW).encode(), "x", "timestamptz")  # no offset
    for garbage in ("0", "W10", "WyJhIl0", "%%%"):
        with pytest.raises(InvalidCursorError):
            decode_cursor(garbage, "spend:desc", "numeric")


def test_the_last_day_is_partial_today_or_inside_the_attribution_window() -> None:
    # 23:30 UTC is already the next day in Berlin.
    now = datetime(2024, 1, 15, 23, 30, tzinfo=UTC)
    berlin = freshness("google", "Europe/Berlin", None, date(2024, 1, 16), now)
    assert (berlin.last_day_partial, berlin.partial_reason) == (True, "today")
    recent = freshness("meta", "UTC", now, date(2024, 1, 1), now)
    assert (recent.partial_reason, recent.revisable_from) == (
        "attribution_window",
        date(2023, 12, 19),
    )
    settled = freshness("tiktok", "UTC", now, date(2024, 1, 1), now)
    assert (settled.last_day_partial, settled.partial_reason) == (False, None)
    both = combined([recent, settled], date(2024, 1, 1))
    assert both.last_day_partial and both.last_synced_at == now


def test_weeks_start_on_monday_and_every_bucket_is_present() -> None:
    series = Series("week", date(2024, 1, 3), date(2024, 1, 22))  # Wednesday .. Monday
    row = {"spend": Decimal(5), "impressions": 10, "clicks": 1, "conversions": Decimal(0),
           "conversion_value": Decimal(0)}  # fmt: skip
    series.add(date(2024, 1, 7), row)  # Sunday: the week of Monday 1 January
    series.add(date(2024, 1, 8), row)
    points = series.rendered()
    assert [p["period_start"] for p in points] == [
        date(2024, 1, 1), date(2024, 1, 8), date(2024, 1, 15), date(2024, 1, 22),
    ]  # fmt: skip
    assert [p["spend"] for p in points] == [5, 5, 0, 0]
    assert points[0]["ctr"] == Decimal("10.00") and points[2]["cpc"] is None
