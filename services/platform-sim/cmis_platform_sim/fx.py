"""Euro reference rates in the European Central Bank's format, deterministic from the seed.
DEVELOPMENT AND TEST TOOL ONLY.

GET /fx/eurofxref-daily.xml      the last working day on or before the dataset's end date
GET /fx/eurofxref-hist-90d.xml   every working day of the 90 days up to it, newest first

Working days are TARGET's: no weekends, no 1 January, Good Friday, Easter Monday, 1 May, 25
and 26 December (as the ECB publishes). Each currency moves around a plausible level
along a slow yearly wave (3 %) with a little daily noise (0.2 %), from ``seed`` only.
Besides the ECB's own currencies the feed carries SAR and AED (pegged to the dollar), which
the simulated accounts use and the ECB does not publish: a production provider in this
format must carry every account currency.

Faults, ``POST /_admin/fx`` with ``{"fail": 503 | null, "malformed": bool, "missing_days":
["YYYY-MM-DD", ...]}`` (``GET`` shows, ``DELETE`` resets): answer with that status, serve a
truncated document, or leave those days out of both feeds.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import orjson

from .http import SimRequest, SimResponse, json_response

PREFIX = "/fx/"
ADMIN_PATH = "/_admin/fx"
HISTORY_DAYS = 90
XML_HEADERS = [(b"content-type", b"text/xml")]
# Level (units per EUR) and decimal places, as the ECB quotes them.
LEVELS: dict[str, tuple[str, int]] = {
    "USD": ("1.0800", 4),
    "JPY": ("160.00", 2),
    "GBP": ("0.85500", 5),
    "CHF": ("0.9400", 4),
    "SEK": ("11.2000", 4),
    "NOK": ("11.6000", 4),
    "DKK": ("7.4600", 4),
    "PLN": ("4.3000", 4),
    "CAD": ("1.4700", 4),
    "AUD": ("1.6400", 4),
}
PEGGED_TO_USD = {"SAR": Decimal("3.75"), "AED": Decimal("3.6725")}
_WAVE, _NOISE = 0.03, 0.002
_ENVELOPE_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" '
    'xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">\n'
    "\t<gesmes:subject>Reference rates</gesmes:subject>\n"
    "\t<gesmes:Sender>\n\t\t<gesmes:name>European Central Bank</gesmes:name>\n"
    "\t</gesmes:Sender>\n\t<Cube>\n"
)
_ENVELOPE_TAIL = "\t</Cube>\n</gesmes:Envelope>\n"


def _easter(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * l_) // 433
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


def is_target_day(day: date) -> bool:
    if day.weekday() >= 5:
        return False
    easter = _easter(day.year)
    closed = {
        date(day.year, 1, 1),
        easter - timedelta(days=2),
        easter + timedelta(days=1),
        date(day.year, 5, 1),
        date(day.year, 12, 25),
        date(day.year, 12, 26),
    }
    return day not in closed


@dataclass
class FxFaults:
    fail: int | None = None
    malformed: bool = False
    missing_days: set[date] = field(default_factory=set)

    def describe(self) -> dict[str, Any]:
        return {
            "fail": self.fail,
            "malformed": self.malformed,
            "missing_days": sorted(day.isoformat() for day in self.missing_days),
        }


class FxFeed:
    def __init__(self, seed: int, end_date: date) -> None:
        self.seed = seed
        self.end_date = end_date
        self.faults = FxFaults()
        self._cache: dict[date, dict[str, Decimal]] = {}

    def rates(self, day: date) -> dict[str, Decimal]:
        """Every currency's rate on ``day`` (a pure function of the seed and the day)."""
        cached = self._cache.get(day)
        if cached is None:
            cached = self._cache[day] = self._draw(day)
        return cached

    def _draw(self, day: date) -> dict[str, Decimal]:
        rates: dict[str, Decimal] = {}
        for currency, (level, places) in LEVELS.items():
            # Any day on its own (no walk to replay): a slow yearly wave, phase from the seed,
            # plus a little noise of that day.
            phase = random.Random(f"{self.seed}:{currency}").uniform(0, 2 * math.pi)
            noise = random.Random(f"{self.seed}:{currency}:{day.isoformat()}")
            angle = 2 * math.pi * day.toordinal() / 365.25 + phase
            factor = 1 + _WAVE * math.sin(angle) + noise.uniform(-_NOISE, _NOISE)
            value = Decimal(level) * Decimal(repr(factor))
            rates[currency] = value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_EVEN)
        for currency, peg in PEGGED_TO_USD.items():
            rates[currency] = (rates["USD"] * peg).quantize(Decimal("0.0001"), ROUND_HALF_EVEN)
        return rates

    def published_days(self, last: date, count_days: int) -> list[date]:
        """Working days of the ``count_days`` calendar days up to ``last``, newest first."""
        days = (last - timedelta(days=offset) for offset in range(count_days))
        return [d for d in days if is_target_day(d) and d not in self.faults.missing_days]

    def document(self, days: list[date]) -> bytes:
        lines = [_ENVELOPE_HEAD]
        for day in days:
            lines.append(f"\t\t<Cube time='{day.isoformat()}'>\n")
            for currency, rate in self.rates(day).items():
                lines.append(f"\t\t\t<Cube currency='{currency}' rate='{rate}'/>\n")
            lines.append("\t\t</Cube>\n")
        lines.append(_ENVELOPE_TAIL)
        return "".join(lines).encode()

    def handle(self, req: SimRequest) -> SimResponse:
        name = req.path[len(PREFIX) :]
        if name == "eurofxref-daily.xml":
            days = self.published_days(self.end_date, 10)[:1]
        elif name == "eurofxref-hist-90d.xml":
            days = self.published_days(self.end_date, HISTORY_DAYS)
        else:
            return json_response({"error": "no such feed", "path": req.path}, 404)
        if self.faults.fail is not None:
            return SimResponse(self.faults.fail, b"<html>Service Unavailable</html>", XML_HEADERS)
        body = self.document(days)
        if self.faults.malformed:
            body = body[: len(body) // 2]
        return SimResponse(200, body, list(XML_HEADERS))

    def admin(self, req: SimRequest) -> SimResponse:
        if req.method == "DELETE":
            self.faults = FxFaults()
        elif req.method == "POST":
            try:
                spec = orjson.loads(req.body or b"{}")
                self.faults = FxFaults(
                    fail=None if spec.get("fail") is None else int(spec["fail"]),
                    malformed=bool(spec.get("malformed", False)),
                    missing_days={date.fromisoformat(d) for d in spec.get("missing_days", [])},
                )
            except (ValueError, TypeError, AttributeError) as exc:
                return json_response({"error": str(exc)}, 400)
        return json_response(self.faults.describe())
