from __future__ import annotations

from decimal import Decimal

import pytest

from cmis_dashboard_api.domain.figures import advertising_figures, budget_used_pct, content_figures
from cmis_dashboard_api.domain.kpis import kpi_status
from cmis_dashboard_api.domain.state import CampaignFigures, ContentFigures
from cmis_dashboard_api.schemas.jsonbytes import dumps

pytestmark = pytest.mark.unit


def _campaign(**kw: object) -> CampaignFigures:
    return CampaignFigures(
        id="00000000-0000-0000-0000-000000000001",
        name="c",
        platform="google",
        status="active",
        currency="USD",
        **kw,
    )  # type: ignore[arg-type]


def test_formulas_match_the_design() -> None:
    figures = advertising_figures(
        [
            _campaign(
                spend=Decimal("3000"),
                impressions=60000,
                clicks=3000,
                conversions=Decimal(80),
                conversion_value=Decimal("10000"),
            ),
            _campaign(
                spend=Decimal("2000"),
                impressions=40000,
                clicks=2000,
                conversions=Decimal(40),
                conversion_value=Decimal("7500"),
            ),
        ]
    )
    assert figures == {
        "total_spend": Decimal(5000),
        "total_impressions": 100000,
        "total_clicks": 5000,
        "total_conversions": Decimal(120),
        "avg_ctr": Decimal("5.00"),
        "avg_cpc": Decimal("1.00"),
        "roi": Decimal("250.00"),
    }


def test_empty_data_gives_zeros_and_nulls() -> None:
    assert advertising_figures([]) == {
        "total_spend": 0,
        "total_impressions": 0,
        "total_clicks": 0,
        "total_conversions": 0,
        "avg_ctr": None,
        "avg_cpc": None,
        "roi": None,
    }
    assert content_figures([]) == {"posts_published": 0, "engagement_rate": None}


def test_engagement_rate_is_interactions_over_impressions() -> None:
    parts = [ContentFigures(posts_published=45, interactions=450, impressions=10000)]
    assert content_figures(parts) == {"posts_published": 45, "engagement_rate": Decimal("4.50")}


def test_budget_used_follows_the_budget_period() -> None:
    daily = _campaign(
        budget_amount=Decimal(100),
        budget_period="daily",
        spend_today=Decimal(90),
        spend_lifetime=Decimal(5000),
    )
    lifetime = _campaign(
        budget_amount=Decimal(10000), budget_period="lifetime", spend_lifetime=Decimal(7500)
    )
    assert budget_used_pct(daily) == Decimal("90.00")
    assert budget_used_pct(lifetime) == Decimal("75.00")
    assert budget_used_pct(_campaign()) is None
    assert budget_used_pct(_campaign(budget_amount=Decimal(0))) is None


@pytest.mark.parametrize(
    ("target", "actual", "higher", "status"),
    [
        (300, 250, True, "in_progress"),
        (300, 300, True, "achieved"),
        (2, 1.5, False, "achieved"),
        (2, 3, False, "in_progress"),
        (300, None, True, "no_data"),
    ],
)
def test_kpi_status(target: int, actual: float | None, higher: bool, status: str) -> None:
    value = None if actual is None else Decimal(str(actual))
    assert kpi_status(Decimal(target), value, higher) == status


def test_money_is_an_exact_json_number() -> None:
    assert dumps({"spend": Decimal("12345678901234.123456"), "x": Decimal("5000.000000")}) == (
        b'{"spend":12345678901234.123456,"x":5000}'
    )
