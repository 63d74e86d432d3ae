"""The organization's campaigns in its own currency (rules in :mod:`.fx`): each day's money
at that day's rate, campaigns of a currency without a rate left out of the organization's
figures and named, never added in their own currency."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from cmis_dashboard_api.domain.fx import ConvertedMoney, MissingRate, RateBook
from cmis_dashboard_api.domain.state import CampaignFigures


@dataclass(frozen=True)
class CampaignMoney:
    campaign: CampaignFigures
    converted: ConvertedMoney | None  # None: no rate for its currency

    def in_reporting_currency(self) -> CampaignFigures | None:
        """The campaign with its period's money converted (None: it could not be)."""
        if self.converted is None:
            return None
        return self.campaign.model_copy(
            update={
                "spend": self.converted.spend,
                "conversion_value": self.converted.conversion_value,
            }
        )


@dataclass
class Reporting:
    currency: str | None
    campaigns: list[CampaignMoney]
    unconverted: set[str] = field(default_factory=set)

    def converted_campaigns(self) -> list[CampaignFigures]:
        found = (money.in_reporting_currency() for money in self.campaigns)
        return [campaign for campaign in found if campaign is not None]

    def rate_dates(self) -> dict[str, tuple[date, date]]:
        """Per source currency, the first and last rate days used."""
        by_currency: dict[str, set[date]] = {}
        for money in self.campaigns:
            if money.converted is not None and money.converted.rate_dates:
                days = by_currency.setdefault(money.campaign.currency, set())
                days |= money.converted.rate_dates
        return _first_and_last(by_currency)

    def rates_as_of(self) -> date | None:
        return _newest(self.rate_dates())


class RatesUsed(Protocol):
    """What a response says of its conversions (the dashboard's ``exchange_rates``)."""

    unconverted: set[str]

    def rate_dates(self) -> dict[str, tuple[date, date]]: ...

    def rates_as_of(self) -> date | None: ...


def _first_and_last(by_currency: Mapping[str, set[date]]) -> dict[str, tuple[date, date]]:
    return {currency: (min(days), max(days)) for currency, days in by_currency.items() if days}


def _newest(spans: Mapping[str, tuple[date, date]]) -> date | None:
    return max((last for _, last in spans.values()), default=None)


@dataclass
class ConvertedDays:
    """Rows of one day's sums (``day``, ``currency``, ``spend``, ``conversion_value`` and
    others) with their money in the organization's currency; rows of a currency without a
    rate for their day are left out and the currency named."""

    currency: str | None
    rows: list[dict[str, Any]] = field(default_factory=list)
    unconverted: set[str] = field(default_factory=set)
    used: dict[str, set[date]] = field(default_factory=dict)

    def rate_dates(self) -> dict[str, tuple[date, date]]:
        return _first_and_last(self.used)

    def rates_as_of(self) -> date | None:
        return _newest(self.rate_dates())


def convert_days(
    rows: Iterable[Mapping[str, Any]], currency: str | None, rates: RateBook
) -> ConvertedDays:
    """Each row's money at its day's rate (rules in :mod:`.fx`), exact: rounded when shown.
    Without a currency (none chosen, no account has one) the rows stay as they are."""
    result = ConvertedDays(currency)
    for row in rows:
        source = row["currency"]
        if currency is None or source == currency:
            result.rows.append(dict(row))
            continue
        money = ConvertedMoney()
        try:
            money.add(
                rates.convert(row["spend"], source, currency, row["day"]),
                rates.convert(row["conversion_value"], source, currency, row["day"]),
            )
        except MissingRate:
            result.unconverted.add(source)
            continue
        result.rows.append(
            {**row, "spend": money.spend, "conversion_value": money.conversion_value}
        )
        if money.rate_dates:
            result.used.setdefault(source, set()).update(money.rate_dates)
    return result


def convert_campaign(
    campaign: CampaignFigures, currency: str | None, rates: RateBook, today: date
) -> ConvertedMoney:
    """The period's spend and conversion value of ``campaign`` in ``currency``. Money the
    daily breakdown does not cover (a state from before it was kept) converts at ``today``'s
    rate. Raises :class:`MissingRate`."""
    if currency is None or campaign.currency == currency:
        return ConvertedMoney(campaign.spend, campaign.conversion_value)
    money = ConvertedMoney()
    spend_left, value_left = campaign.spend, campaign.conversion_value
    for day in campaign.daily:
        money.add(
            rates.convert(day.spend, campaign.currency, currency, day.day),
            rates.convert(day.conversion_value, campaign.currency, currency, day.day),
        )
        spend_left -= day.spend
        value_left -= day.conversion_value
    if spend_left or value_left:
        money.add(
            rates.convert(spend_left, campaign.currency, currency, today),
            rates.convert(value_left, campaign.currency, currency, today),
        )
    return money


def reporting(
    campaigns: list[CampaignFigures], currency: str | None, rates: RateBook, today: date
) -> Reporting:
    result = Reporting(currency, [])
    for campaign in campaigns:
        try:
            converted: ConvertedMoney | None = convert_campaign(campaign, currency, rates, today)
        except MissingRate:
            converted = None
            result.unconverted.add(campaign.currency)
        result.campaigns.append(CampaignMoney(campaign, converted))
    return result
