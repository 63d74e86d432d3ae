"""A euro reference rates provider (the European Central Bank's format: ``eurofxref-daily.xml``
and ``eurofxref-hist-90d.xml`` under one base address) over HTTP.

The document is parsed with defusedxml (no entity expansion, no external entities: the feed
is data from outside). Every ``<Cube time="YYYY-MM-DD">`` holds ``<Cube currency="USD"
rate="1.0512"/>`` entries, units per 1 EUR. A document that is not that — not XML, no day, a
bad date, currency or rate — is a :class:`RateFeedError` as a whole: a feed is stored
entirely or not at all."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeTree
import httpx
from defusedxml import DefusedXmlException

from cmis_scheduler.domain.exchange_rates import FeedRates, PublishedRate, RateFeedError

DAILY, HISTORY = "eurofxref-daily.xml", "eurofxref-hist-90d.xml"
_CURRENCY = re.compile(r"[A-Z]{3}")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _day(cube: Element) -> list[PublishedRate]:
    try:
        day = date.fromisoformat(cube.attrib["time"])
    except ValueError:
        raise RateFeedError(f"invalid day {cube.attrib['time']!r}") from None
    rates = []
    for entry in cube:
        if _local(entry.tag) != "Cube":
            continue
        currency, value = entry.attrib.get("currency", ""), entry.attrib.get("rate", "")
        if not _CURRENCY.fullmatch(currency):
            raise RateFeedError(f"invalid currency {currency!r} on {day}")
        try:
            rate = Decimal(value)
        except InvalidOperation:
            raise RateFeedError(f"invalid {currency} rate {value!r} on {day}") from None
        if not rate.is_finite() or rate <= 0:
            raise RateFeedError(f"invalid {currency} rate {value!r} on {day}")
        rates.append(PublishedRate(currency, day, rate))
    if not rates:
        raise RateFeedError(f"no rates on {day}")
    return rates


def parse_feed(body: bytes, source: str) -> FeedRates:
    """The rates of a euro reference rates document; :class:`RateFeedError` otherwise."""
    try:
        root = SafeTree.fromstring(body)
    except (SafeTree.ParseError, DefusedXmlException) as error:
        raise RateFeedError(f"not a rates document: {type(error).__name__}") from None
    days = [
        element
        for element in root.iter()
        if _local(element.tag) == "Cube" and "time" in element.attrib
    ]
    if not days:
        raise RateFeedError("no publication day in the feed")
    return FeedRates(source, tuple(rate for cube in days for rate in _day(cube)))


class HttpRateFeed:
    """:class:`cmis_scheduler.ports.RateFeed` at ``base_url`` (no trailing file name)."""

    def __init__(self, client: httpx.AsyncClient, base_url: str) -> None:
        self._client = client
        self._base = base_url.rstrip("/")

    async def daily(self) -> FeedRates:
        return await self._read(DAILY, "daily")

    async def history(self) -> FeedRates:
        return await self._read(HISTORY, "hist-90d")

    async def _read(self, name: str, source: str) -> FeedRates:
        try:
            response = await self._client.get(f"{self._base}/{name}")
        except httpx.HTTPError as error:
            raise RateFeedError(f"{source} feed unreachable: {type(error).__name__}") from None
        if response.status_code != 200:
            raise RateFeedError(f"{source} feed answered HTTP {response.status_code}")
        return parse_feed(response.content, source)
