"""Conversion rules (domain/fx.py, domain/reporting.py): which day's rate, cross rates via
EUR, rounding per currency minor units, missing days and currencies without a rate."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from cmis_dashboard_api.domain.apply import apply_event
from cmis_dashboard_api.domain.fx import MissingRate, RateBook, minor_units, round_money
from cmis_dashboard_api.domain.render import render_dashboard
from cmis_dashboard_api.domain.reporting import convert_campaign, convert_days, reporting
from cmis_dashboard_api.domain.series import Series
from cmis_dashboard_api.domain.state import CampaignFigures, DayMoney
from cmis_shared.events import (
    DailyMoney,
    Event,
    IntegrationConnected,
    IntegrationDisconnected,
    IntegrationUpdated,
    OrganizationSettingsChanged,
)
from tests.unit.dashboard_api.factories import ORG, T0, campaign, completed, state

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


def _account_event(currency: str, connected_days_ago: int, at_offset: int = 0) -> Event:
    connected = T0 - timedelta(days=connected_days_ago)
    return IntegrationConnected(
        org_id=ORG, integration_id=uuid.uuid4(), platform="google", account_id=currency,
        account_name=currency, status="active", currency=currency, connected_at=connected,
        occurred_at=T0 + timedelta(seconds=at_offset),
    )  # fmt: skip


def test_the_organizations_currency_is_its_choice_else_its_first_connected_accounts() -> None:
    s = state()
    assert s.reporting_currency() is None
    usd, eur = _account_event("USD", 3), _account_event("EUR", 10, at_offset=5)
    apply_event(s, usd)
    assert s.reporting_currency() == "USD"
    apply_event(s, eur)  # connected earlier, announced later
    assert s.reporting_currency() == "EUR"
    apply_event(
        s,
        IntegrationDisconnected(
            org_id=ORG, integration_id=eur.integration_id, platform="google",
            occurred_at=T0 + timedelta(seconds=9),
        ),
    )  # fmt: skip
    assert s.reporting_currency() == "USD"
    chosen = OrganizationSettingsChanged(
        org_id=ORG, changed=["currency"], timezone="UTC", currency="GBP",
        occurred_at=T0 + timedelta(seconds=10),
    )  # fmt: skip
    assert apply_event(s, chosen) is not None
    assert s.reporting_currency() == "GBP"
    stale = chosen.model_copy(update={"currency": None, "occurred_at": T0})
    assert apply_event(s, stale) is None  # an older change does not undo a newer one
    assert s.reporting_currency() == "GBP"


def test_a_later_update_without_the_connection_time_keeps_it() -> None:
    s = state()
    first = _account_event("EUR", 10)
    apply_event(s, first)
    update = IntegrationUpdated(
        **first.model_dump(exclude={"event_type", "event_id", "connected_at", "occurred_at"}),
        occurred_at=T0 + timedelta(minutes=1),
    )
    apply_event(s, update)
    assert s.accounts[first.integration_id.hex].connected_at == first.connected_at


def test_the_rendered_totals_are_in_the_organizations_currency_at_each_days_rate() -> None:
    s = state(currency="EUR")
    fact = campaign("216", value="0").model_copy(
        update={
            "daily": [
                DailyMoney(day=FRI, spend=Decimal("105")),  # 100 EUR
                DailyMoney(day=SUN, spend=Decimal("1")),  # at Friday's: 0.952380... EUR
                DailyMoney(day=MON, spend=Decimal("110")),  # 100 EUR
            ]
        }
    )
    apply_event(s, completed(uuid.uuid4(), [fact]))
    view = render_dashboard(s, datetime(2026, 11, 23, 12, tzinfo=UTC), BOOK)
    assert view["currency"] == "EUR"
    assert view["overview"]["advertising"]["total_spend"] == Decimal("200.95")
    [entry] = view["active_campaigns"]
    assert (entry["currency"], entry["spend"]) == ("USD", Decimal("216"))
    assert entry["converted"]["spend"] == Decimal("200.95")
    assert view["exchange_rates"]["rates_as_of"] == MON
    assert view["exchange_rates"]["rate_dates"] == {"USD": {"first": FRI, "last": MON}}


def _day_row(day: date, currency: str, spend: str, value: str = "0") -> dict[str, object]:
    return {
        "platform": "google", "day": day, "currency": currency, "spend": Decimal(spend),
        "impressions": 100, "clicks": 3, "conversions": Decimal(1),
        "conversion_value": Decimal(value),
    }  # fmt: skip


def test_chart_days_convert_at_their_own_days_rate_and_are_rounded_once_when_shown() -> None:
    rows = [
        _day_row(FRI, "USD", "1.00", "2.10"),  # 1 / 1.05 EUR, 2 EUR
        _day_row(SAT, "USD", "1.00"),  # Friday's rate: 1 / 1.05 EUR
        _day_row(MON, "EUR", "5.00", "5.00"),
        _day_row(MON, "USD", "11.00"),  # 10 EUR
    ]
    money = convert_days(rows, "EUR", BOOK)
    assert money.unconverted == set()
    assert money.rate_dates() == {"USD": (FRI, MON)}
    assert money.rates_as_of() == MON
    series = Series("week", FRI, MON)
    for row in money.rows:
        series.add(row["day"], row)
    friday_week, monday_week = series.rendered("EUR")
    # 2 / 1.05 = 1.90476... rounded once (day by day it would be 0.95 + 0.95 = 1.90).
    assert friday_week["spend"] == Decimal("1.90")
    assert friday_week["conversion_value"] == Decimal("2.00")
    assert friday_week["cpc"] == Decimal("0.32")  # 1.90476 / 6, from the exact sum
    assert monday_week["spend"] == Decimal("15.00")
    assert monday_week["conversion_value"] == Decimal("5.00")


def test_chart_days_of_a_currency_without_a_rate_are_left_out_and_named() -> None:
    rows = [_day_row(MON, "EUR", "5.00"), _day_row(MON, "CHF", "7.00"), _day_row(MON, "USD", "0")]
    money = convert_days(rows, "EUR", BOOK)
    assert money.unconverted == {"CHF"}
    assert [(row["currency"], row["spend"]) for row in money.rows] == [
        ("EUR", Decimal("5.00")),
        ("USD", Decimal(0)),  # nothing to convert, no rate day used
    ]
    assert money.rate_dates() == {}
    assert money.rates_as_of() is None
    unconverted = convert_days(rows, None, BOOK)
    assert [row["spend"] for row in unconverted.rows] == [Decimal("5.00"), Decimal("7.00"), 0]
    assert unconverted.unconverted == set()
