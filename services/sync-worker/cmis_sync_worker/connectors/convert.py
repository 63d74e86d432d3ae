"""Exact conversions from the platforms' number and time formats to ours.

Pure functions, no I/O. Money never passes through float: micros and minor units are
integers scaled by a power of ten, decimal strings go straight to ``Decimal``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

# ISO 4217 minor-unit exponents that differ from 2 (the usual case).
_MINOR_UNIT_EXPONENT: dict[str, int] = {
    **dict.fromkeys(
        [
            "BIF",
            "CLP",
            "DJF",
            "GNF",
            "ISK",
            "JPY",
            "KMF",
            "KRW",
            "PYG",
            "RWF",
            "UGX",
            "VND",
            "VUV",
            "XAF",
            "XOF",
            "XPF",
        ],
        0,
    ),
    **dict.fromkeys(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"], 3),
}

Number = int | str | Decimal


def minor_unit_exponent(currency: str) -> int:
    return _MINOR_UNIT_EXPONENT.get(currency.upper(), 2)


def _integer(value: Number) -> int:
    if isinstance(value, bool | float):
        raise TypeError(f"expected an integer, got {type(value).__name__}")
    if isinstance(value, Decimal):
        if value != value.to_integral_value():
            raise ValueError(f"expected an integer, got {value}")
        return int(value)
    return int(value)


def micros_to_decimal(value: Number) -> Decimal:
    """Google's ``costMicros`` and X's ``*_local_micro``: millionths of the currency unit."""
    return Decimal(_integer(value)).scaleb(-6)


def minor_units_to_decimal(value: Number, currency: str) -> Decimal:
    """Meta budgets: the currency's smallest unit (cents, or yen for JPY)."""
    return Decimal(_integer(value)).scaleb(-minor_unit_exponent(currency))


def decimal_from(value: Number) -> Decimal:
    """A number the platform sent as a string ("209.44") or an exact JSON number."""
    if isinstance(value, bool | float):
        raise TypeError(f"refusing {type(value).__name__} for money")
    try:
        result = value if isinstance(value, Decimal) else Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(f"not a decimal number: {str(value)[:32]!r}") from exc
    if not result.is_finite():
        raise ValueError(f"not a finite number: {str(value)[:32]!r}")
    return result


def count_from(value: Number | None) -> int:
    """Impressions, clicks, likes: int, or an integer sent as a string."""
    return 0 if value is None else _integer(value)


def parse_day(value: str) -> date:
    """``YYYY-MM-DD``, also accepting TikTok's ``YYYY-MM-DD 00:00:00``."""
    return date.fromisoformat(value[:10])


def parse_timestamp(value: str) -> datetime:
    """ISO 8601 with an offset (``Z``, ``+00:00`` or Meta's ``+0000``), as aware UTC."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp without a time zone: {value[:40]!r}")
    return parsed.astimezone(UTC)


def epoch_seconds_to_datetime(value: Number) -> datetime:
    return datetime.fromtimestamp(_integer(value), UTC)


def epoch_ms_to_datetime(value: Number) -> datetime:
    millis = _integer(value)
    return datetime.fromtimestamp(millis // 1000, UTC) + timedelta(milliseconds=millis % 1000)


def day_in_zone(moment: datetime, timezone: str) -> date:
    """The account's own calendar day for an instant."""
    return moment.astimezone(ZoneInfo(timezone)).date()


def midnight_in_zone(day: date, timezone: str) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(timezone))


def date_windows(since: date, until: date, max_days: int) -> list[tuple[date, date]]:
    """Split ``[since, until]`` (inclusive) into consecutive windows of at most ``max_days``."""
    if max_days < 1:
        raise ValueError("max_days must be at least 1")
    windows: list[tuple[date, date]] = []
    start = since
    while start <= until:
        end = min(until, start + timedelta(days=max_days - 1))
        windows.append((start, end))
        start = end + timedelta(days=1)
    return windows


def seconds_until_utc_midnight(now: datetime) -> float:
    """Daily quotas (LinkedIn) reset at midnight UTC."""
    now_utc = now.astimezone(UTC)
    tomorrow = (now_utc + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return (tomorrow - now_utc).total_seconds()
