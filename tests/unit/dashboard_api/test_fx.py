"""Conversion rules (domain/fx.py, domain/reporting.py): which day's rate, cross rates via
EUR, rounding per currency minor units, missing days and currencies without a rate."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from cmis_dashboard_api.domain.fx import MissingRate, RateBook, minor_units, round_money
from cmis_dashboard_api.domain.reporting import convert_campaign, reporting
from cmis_dashboard_api.domain.state import CampaignFigures, DayMoney

pytestmark = pytest.mark.unit

FRI, SAT, SUN, MON = date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 22), date(2026, 11, 23)
BOOK = RateBook(
    {
        "USD": {FRI: Decimal("1.0500"), MON: Decimal("1.1000")},
        "GBP": {FRI: Decimal("0.8400"), MON: Decimal("0.8800")},
        "JPY": {FRI: Decimal("160.00"), MON: Decimal("162.00")},
    }
)


def test_a_published_day_uses_its_own_rate() -> None:
    assert BOOK.rate("USD", MON).value == Decimal("1.1000")
    assert BOOK.rate("USD", MON).rate_date == MON
    assert BOOK.rate("USD", FRI).value == Decimal("1.0500")


@pytest.mark.parametrize("day", [SAT, SUN])
def test_a_weekend_day_uses_the_last_rate_published_before_it(day: date) -> None:
    rate = BOOK.rate("USD", day)
    assert (rate.value, rate.rate_date) == (Decimal("1.0500"), FRI)


def test_a_day_before_every_known_rate_has_no_rate() -> None:
    with pytest.raises(MissingRate) as raised:
        BOOK.rate("USD", date(2026, 11, 19))
    assert (raised.value.currency, raised.value.day) == ("USD", date(2026, 11, 19))
    with pytest.raises(MissingRate):
        BOOK.rate("SAR", MON)  # never published


def test_euro_is_its_own_base_on_every_day() -> None:
    assert BOOK.convert(Decimal("10.50"), "EUR", "USD", SAT).amount == Decimal("11.0250")
    assert BOOK.convert(Decimal("11.025"), "USD", "EUR", SAT).amount == Decimal("10.5")
    assert BOOK.convert(Decimal("11.025"), "USD", "EUR", SAT).rate_dates == {FRI}


def test_cross_rates_go_through_euro_at_the_same_days_rates() -> None:
    # 100 USD on Monday = 100 / 1.1 EUR = 100 / 1.1 * 0.88 GBP = 80 GBP.
    converted = BOOK.convert(Decimal(100), "USD", "GBP", MON)
    assert round_money(converted.amount, "GBP") == Decimal("80.00")
    assert converted.rate_dates == {MON}
    # On Sunday both legs fall back to Friday: 100 / 1.05 * 0.84 = 80.
    assert round_money(BOOK.convert(Decimal(100), "USD", "GBP", SUN).amount, "GBP") == Decimal(
        "80.00"
    )


def test_same_currency_or_zero_needs_no_rate() -> None:
    assert BOOK.convert(Decimal("7.77"), "SAR", "SAR", MON).amount == Decimal("7.77")
    assert BOOK.convert(Decimal(0), "SAR", "EUR", MON).rate_dates == frozenset()


@pytest.mark.parametrize(
    ("currency", "places"), [("JPY", 0), ("KRW", 0), ("EUR", 2), ("USD", 2), ("KWD", 3)]
)
def test_minor_units_follow_iso_4217(currency: str, places: int) -> None:
    assert minor_units(currency) == places


@pytest.mark.parametrize(
    ("amount", "currency", "rounded"),
    [
        ("2.345", "EUR", "2.34"),  # half to even: down
        ("2.355", "EUR", "2.36"),  # half to even: up
        ("2.3451", "EUR", "2.35"),  # above half
        ("160.5", "JPY", "160"),
        ("161.5", "JPY", "162"),
        ("1.23450", "KWD", "1.234"),
    ],
)
def test_rounding_is_half_even_to_the_currencys_minor_units(
    amount: str, currency: str, rounded: str
) -> None:
    assert round_money(Decimal(amount), currency) == Decimal(rounded)


def _campaign(currency: str, days: list[tuple[date, str, str]]) -> CampaignFigures:
    daily = [DayMoney(day=d, spend=Decimal(s), conversion_value=Decimal(v)) for d, s, v in days]
    return CampaignFigures(
        id=uuid.uuid4(),
        name="c",
        platform="google",
        status="active",
        currency=currency,
        spend=sum((day.spend for day in daily), Decimal(0)),
        conversion_value=sum((day.conversion_value for day in daily), Decimal(0)),
        daily=daily,
    )


def test_each_day_converts_at_its_own_rate_and_is_rounded_only_once() -> None:
    campaign = _campaign("USD", [(FRI, "105", "210"), (SAT, "21", "0"), (MON, "110", "220")])
    money = convert_campaign(campaign, "EUR", BOOK, MON)
    # 105/1.05 + 21/1.05 + 110/1.1 = 100 + 20 + 100
    assert money.spend == Decimal(220)
    assert money.conversion_value == Decimal(400)
    assert money.rate_dates == {FRI, MON}
    assert money.rates_as_of == MON


def test_money_the_daily_breakdown_does_not_cover_converts_at_todays_rate() -> None:
    campaign = _campaign("USD", [(FRI, "105", "0")]).model_copy(
        update={"spend": Decimal("215")}
    )  # 110 USD from a state kept before days were
    assert convert_campaign(campaign, "EUR", BOOK, MON).spend == Decimal(200)


def test_a_currency_without_a_rate_is_named_and_left_out_of_the_totals() -> None:
    usd = _campaign("USD", [(MON, "110", "0")])
    sar = _campaign("SAR", [(MON, "375", "0")])
    eur = _campaign("EUR", [(MON, "5", "0")])
    money = reporting([usd, sar, eur], "EUR", BOOK, MON)
    assert money.unconverted == {"SAR"}
    assert sorted(c.spend for c in money.converted_campaigns()) == [Decimal(5), Decimal(100)]
    assert money.rate_dates() == {"USD": (MON, MON)}
    assert money.rates_as_of() == MON


def test_without_an_organization_currency_nothing_is_converted() -> None:
    money = reporting([_campaign("USD", [(MON, "1", "0")])], None, RateBook(), MON)
    assert money.unconverted == set()
    assert money.rates_as_of() is None
