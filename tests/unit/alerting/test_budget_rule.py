from decimal import Decimal

import pytest

from cmis_alerting.domain.budget import budget_observation
from cmis_alerting.domain.thresholds import Thresholds
from cmis_shared.events import AlertType, BudgetPeriod, CampaignFact, DailyMoney, Severity
from tests.unit.alerting.factories import INTEGRATION, NOW, ORG, campaign

pytestmark = pytest.mark.unit

DEFAULTS = Thresholds()


def _severity(fact: CampaignFact) -> Severity | None:
    return budget_observation(ORG, INTEGRATION, fact, DEFAULTS, NOW).severity


@pytest.mark.parametrize(
    ("lifetime_spend", "expected"),
    [
        ("899.99", None),
        ("900", Severity.WARNING),
        ("900.01", Severity.WARNING),
        ("999.99", Severity.WARNING),
        ("1000", Severity.CRITICAL),
        ("1000.01", Severity.CRITICAL),
        ("5000", Severity.CRITICAL),
    ],
)
def test_lifetime_budget_at_below_and_above_each_threshold(
    lifetime_spend: str, expected: Severity | None
) -> None:
    assert _severity(campaign("1000", lifetime=lifetime_spend, today="0")) == expected


@pytest.mark.parametrize(
    ("today_spend", "expected"),
    [("44.99", None), ("45", Severity.WARNING), ("49.99", Severity.WARNING),
     ("50", Severity.CRITICAL), ("50.01", Severity.CRITICAL)],
)  # fmt: skip
def test_daily_budget_compares_with_todays_spend_only(
    today_spend: str, expected: Severity | None
) -> None:
    fact = campaign("50", BudgetPeriod.DAILY, today=today_spend, lifetime="100000")
    assert _severity(fact) == expected


def test_lifetime_budget_ignores_todays_spend() -> None:
    assert _severity(campaign("1000", lifetime="10", today="5000")) is None


@pytest.mark.parametrize(
    "fact",
    [
        campaign(None, lifetime="5000"),
        campaign("0", lifetime="5000"),
        campaign("-10", lifetime="5000"),
        campaign("1000", None, lifetime="5000", today="5000"),
    ],
    ids=["missing", "zero", "negative", "no-period"],
)
def test_zero_or_missing_budget_never_alerts_and_clears(fact: CampaignFact) -> None:
    observation = budget_observation(ORG, INTEGRATION, fact, DEFAULTS, NOW)
    assert observation.is_clear
    assert observation.reason == "campaign has no budget"


def test_warning_message_and_details_in_the_campaigns_currency() -> None:
    fact = campaign("1000", lifetime="900", name="Summer", currency="EUR")
    observation = budget_observation(ORG, INTEGRATION, fact, DEFAULTS, NOW)
    assert observation.message == "Campaign 'Summer' has used 90% of budget"
    assert observation.key.alert_type is AlertType.BUDGET
    assert observation.key.subject_type == "campaign"
    assert observation.key.subject_id == fact.campaign_id
    assert observation.details["currency"] == "EUR"
    assert observation.details["spend"] == "900"
    assert observation.details["budget_amount"] == "1000"
    assert observation.details["budget_period"] == "lifetime"
    assert observation.details["integration_id"] == str(INTEGRATION)


def test_percentage_is_floored_not_rounded_up() -> None:
    observation = budget_observation(
        ORG, INTEGRATION, campaign("1000", lifetime="999.99"), DEFAULTS, NOW
    )
    assert observation.message == "Campaign 'Summer' has used 99% of budget"


def test_currencies_are_never_mixed_each_campaign_against_its_own_budget() -> None:
    # 9,500 JPY of a 10,000 JPY budget is 95 %; 95 USD of a 10,000 USD budget is nothing.
    yen = campaign("10000", lifetime="9500", currency="JPY", name="Tokyo")
    dollars = campaign("10000", lifetime="95", currency="USD", name="Boston")
    assert _severity(yen) is Severity.WARNING
    assert _severity(dollars) is None


def test_organization_thresholds_apply() -> None:
    custom = DEFAULTS.with_overrides({"alerts": {"budget_warning_pct": 50}})
    fact = campaign("100", lifetime="50")
    assert budget_observation(ORG, INTEGRATION, fact, custom, NOW).severity is Severity.WARNING
    assert budget_observation(ORG, INTEGRATION, fact, DEFAULTS, NOW).is_clear


def test_fractional_amounts_are_exact() -> None:
    # 0.1 + 0.2 style float error would put 0.9 of 1.0 just under 90 %.
    fact = campaign("1.0", lifetime=str(Decimal("0.6") + Decimal("0.3")))
    assert _severity(fact) is Severity.WARNING


@pytest.mark.parametrize(
    ("currency", "lifetime_spend", "expected"),
    [("JPY", "90000", Severity.WARNING), ("EUR", "899.99", None), ("SAR", "1000", None)],
)
def test_budgets_compare_in_the_campaigns_own_currency_whatever_the_organizations(
    currency: str, lifetime_spend: str, expected: Severity | None
) -> None:
    """A sync's facts carry native amounts and their daily money: the rule uses the native
    budget and spend, never a converted figure (the dashboard's organization currency)."""
    budget = {"JPY": "100000", "EUR": "1000", "SAR": "4000"}[currency]
    fact = campaign(budget, lifetime=lifetime_spend, currency=currency).model_copy(
        update={"daily": [DailyMoney(day=NOW.date(), spend=Decimal(lifetime_spend))]}
    )
    observation = budget_observation(ORG, INTEGRATION, fact, DEFAULTS, NOW)
    assert observation.severity == expected
    if expected is not None:
        assert observation.details["currency"] == currency
        assert observation.details["budget_amount"] == budget
        assert observation.details["spend"] == lifetime_spend
