"""Money in another currency: euro reference rates, the rate of a day, cross rates, rounding.

Rates are units of a currency per 1 EUR (the euro reference rates' base), one per
publication day. Conversion is ``Decimal`` end to end:

- **Which day's rate**: an amount of an account day converts at the rate published for that
  day; a day without publication (weekend, TARGET holiday, today before the 16:00 CET
  publication) uses the last rate published before it. A day before every known rate has no
  rate (:class:`MissingRate`): nothing is guessed.
- **Cross rates via EUR**: ``amount / rate(from) x rate(to)``, both legs of the same day
  (EUR's own rate is 1 every day).
- **Rounding**: each day's converted amount is kept exact (the decimal context's 28
  significant digits); a figure is rounded once, when shown, to the minor units of its
  currency (ISO 4217: JPY, KRW and others 0 places, most currencies 2, BHD, JOD, KWD, OMR, TND
  and others 3) with ROUND_HALF_EVEN (banker's rounding). Why: rounding each day first would
  add up to a cent per day per campaign of error; half-even has no upward bias when many
  halves are rounded, which is what summing many converted figures produces. A consequence,
  as in any ledger: a total may differ by a minor unit from the sum of its rounded parts.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

BASE = "EUR"
ONE = Decimal(1)

# ISO 4217 minor units that differ from the usual 2 (currencies in use only).
_MINOR_UNITS = {
    **dict.fromkeys(
        ("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND",
         "VUV", "XAF", "XOF", "XPF"),
        0,
    ),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
}  # fmt: skip


def minor_units(currency: str) -> int:
    """Decimal places of ``currency``'s minor unit (2 unless ISO 4217 says otherwise)."""
    return _MINOR_UNITS.get(currency, 2)


def round_money(amount: Decimal, currency: str) -> Decimal:
    """``amount`` rounded half-even to ``currency``'s minor units."""
    return amount.quantize(Decimal(1).scaleb(-minor_units(currency)), rounding=ROUND_HALF_EVEN)


class MissingRate(LookupError):
    """No rate of ``currency`` published on or before ``day``."""

    def __init__(self, currency: str, day: date) -> None:
        super().__init__(f"no {currency} rate on or before {day.isoformat()}")
        self.currency = currency
        self.day = day


@dataclass(frozen=True)
class Rate:
    value: Decimal  # units of the currency per 1 EUR
    rate_date: date | None  # the publication day used; None for EUR itself


class RateBook:
    """Published rates by currency and day, searched by "last on or before"."""

    def __init__(self, rates: Mapping[str, Mapping[date, Decimal]] | None = None) -> None:
        self._days: dict[str, list[date]] = {}
        self._values: dict[str, list[Decimal]] = {}
        for currency, by_day in (rates or {}).items():
            days = sorted(by_day)
            self._days[currency] = days
            self._values[currency] = [by_day[day] for day in days]

    @classmethod
    def of(cls, rows: Iterable[tuple[str, date, Decimal]]) -> RateBook:
        rates: dict[str, dict[date, Decimal]] = {}
        for currency, day, value in rows:
            rates.setdefault(currency, {})[day] = value
        return cls(rates)

    def __bool__(self) -> bool:
        return bool(self._days)

    def rate(self, currency: str, day: date) -> Rate:
        if currency == BASE:
            return Rate(ONE, None)
        days = self._days.get(currency, [])
        index = bisect.bisect_right(days, day)
        if index == 0:
            raise MissingRate(currency, day)
        return Rate(self._values[currency][index - 1], days[index - 1])

    def convert(self, amount: Decimal, source: str, target: str, day: date) -> Conversion:
        """``amount`` of ``source`` on ``day`` in ``target``, exact (not rounded)."""
        if source == target or not amount:
            return Conversion(Decimal(amount))
        out, into = self.rate(source, day), self.rate(target, day)
        used = {when for when in (out.rate_date, into.rate_date) if when is not None}
        return Conversion(amount / out.value * into.value, frozenset(used))


@dataclass(frozen=True)
class Conversion:
    amount: Decimal
    rate_dates: frozenset[date] = frozenset()


@dataclass
class ConvertedMoney:
    """Amounts of many days added up in one currency, and the rate days used."""

    spend: Decimal = Decimal(0)
    conversion_value: Decimal = Decimal(0)
    rate_dates: set[date] = field(default_factory=set)

    def add(self, spend: Conversion, value: Conversion) -> None:
        self.spend += spend.amount
        self.conversion_value += value.amount
        self.rate_dates |= spend.rate_dates | value.rate_dates

    @property
    def rates_as_of(self) -> date | None:
        return max(self.rate_dates, default=None)
