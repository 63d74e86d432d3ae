"""Query parameters the list and chart routes share: page size and cursor, a date range."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import Query

from cmis_dashboard_api.api.errors import ApiError
from cmis_dashboard_api.domain.cursor import (
    MAX_CURSOR_CHARS,
    Cursor,
    InvalidCursorError,
    decode_cursor,
)
from cmis_dashboard_api.schemas.common import IsoText
from cmis_shared.events import Platform

MAX_PAGE = 200
MAX_RANGE_DAYS = 366
DEFAULT_RANGE_DAYS = 30

PlatformFilter = Annotated[Platform | None, Query(description="Only this platform.")]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Items per page.")]
CursorParam = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=MAX_CURSOR_CHARS,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="`next_cursor` of the previous page (opaque).",
    ),
]
From = Annotated[
    Annotated[date, IsoText] | None,
    Query(alias="from", description="First day (account-local, inclusive); default: 30 days ago."),
]
To = Annotated[
    Annotated[date, IsoText] | None,
    Query(alias="to", description="Last day (inclusive); default: today (UTC)."),
]


def invalid_query(field: str, message: str, location: str = "query") -> ApiError:
    """A 422 in the shape of the validation errors, for a rule the schema cannot state."""
    details = [{"field": f"{location}.{field}", "message": message, "type": "value_error"}]
    return ApiError(422, f"invalid request: {location}.{field}", details=details)


def after(
    cursor: str | None, sort: str, key_type: str = "text", id_type: str = "uuid"
) -> Cursor | None:
    if cursor is None:
        return None
    try:
        return decode_cursor(cursor, sort, key_type, id_type)
    except InvalidCursorError as error:
        raise invalid_query("cursor", str(error)) from None


def date_range(first: date | None, last: date | None, today: date) -> tuple[date, date]:
    """The range asked for, or the last 30 days; at most 366 days, ``from`` <= ``to``."""
    span = timedelta(days=DEFAULT_RANGE_DAYS - 1)
    try:
        last = last or (today if first is None else min(today, first + span))
        first = first or last - span
    except OverflowError:
        raise invalid_query("from", "out of the calendar's range") from None
    if first > last:
        raise invalid_query("from", "`from` is after `to`")
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise invalid_query("from", f"the range is longer than {MAX_RANGE_DAYS} days")
    return first, last
