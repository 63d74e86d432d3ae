from datetime import timedelta
from decimal import Decimal

import pytest

from cmis_alerting.domain.thresholds import Thresholds
from cmis_alerting.settings import AlertingSettings

pytestmark = pytest.mark.unit


def test_defaults_match_the_product_rules() -> None:
    assert Thresholds() == Thresholds(
        Decimal(90), Decimal(100), timedelta(days=7), timedelta(hours=24)
    )


def test_settings_build_the_defaults() -> None:
    settings = AlertingSettings(budget_warning_pct=Decimal(80), token_critical_hours=12)
    assert settings.service_name == "alerting"
    assert settings.default_thresholds() == Thresholds(
        Decimal(80), Decimal(100), timedelta(days=7), timedelta(hours=12)
    )


def test_organization_overrides_every_threshold() -> None:
    overridden = Thresholds().with_overrides(
        {"alerts": {"budget_warning_pct": 75.5, "budget_critical_pct": "110",
                    "token_warning_days": 14, "token_critical_hours": 48}}
    )  # fmt: skip
    assert overridden == Thresholds(
        Decimal("75.5"), Decimal(110), timedelta(days=14), timedelta(hours=48)
    )


@pytest.mark.parametrize(
    "org_settings",
    [
        None,
        {},
        {"alerts": "loud"},
        {"alerts": {"budget_warning_pct": True}},
        {"alerts": {"budget_warning_pct": -5, "token_warning_days": 0}},
        {"alerts": {"budget_warning_pct": "ninety", "token_critical_hours": None}},
        {"alerts": {"budget_warning_pct": "NaN", "token_warning_days": "Infinity"}},
        {"schedule": {"metrics_seconds": 60}},
    ],
)
def test_invalid_or_absent_overrides_keep_the_defaults(org_settings: dict | None) -> None:
    assert Thresholds().with_overrides(org_settings) == Thresholds()
