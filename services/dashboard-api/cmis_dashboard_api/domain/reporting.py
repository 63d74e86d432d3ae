"""The organization's campaigns in its own currency (rules in :mod:`.fx`): each day's money
at that day's rate, campaigns of a currency without a rate left out of the organization's
figures and named, never added in their own currency."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

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
        return {currency: (min(days), max(days)) for currency, days in by_currency.items()}

    def rates_as_of(self) -> date | None:
        return max((last for _, last in self.rate_dates().values()), default=None)


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
