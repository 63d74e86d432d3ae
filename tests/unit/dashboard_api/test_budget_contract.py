"""The dashboard's campaign entries are self-consistent: ``budget_used_pct`` is
``spend_against_budget / budget x 100`` with the fields shown, whatever the budget's period
and the spend of the view's period; the period's spend keeps its own name."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmis_dashboard_api.domain.figures import percent
from cmis_dashboard_api.domain.render import render_dashboard
from cmis_dashboard_api.domain.state import CampaignFigures, Contribution, DashboardState

pytestmark = pytest.mark.unit

money = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False)


@given(
    budget=st.one_of(st.none(), money),
    period=st.sampled_from([None, "daily", "lifetime"]),
    spend=money,
    today=money,
    lifetime=money,
)
def test_budget_used_pct_is_the_spend_against_budget_over_the_budget(
    budget: Decimal | None, period: str | None, spend: Decimal, today: Decimal, lifetime: Decimal
) -> None:
    campaign = CampaignFigures(
        id=uuid.uuid4(), name="c", platform="google", status="active", currency="USD",
        budget_amount=budget, budget_period=period, spend=spend, spend_today=today,
        spend_lifetime=lifetime,
    )  # fmt: skip
    state = DashboardState(
        org_id=uuid.uuid4(), org_name="o", updated_at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    state.contributions["i"] = Contribution(platform="google", campaigns=[campaign])
    view = render_dashboard(state, datetime(2026, 1, 1, tzinfo=UTC))
    [entry] = view["active_campaigns"]

    assert entry["spend"] == spend  # the period's spend, under its own name
    expected_against = today if period == "daily" else lifetime
    assert entry["spend_against_budget"] == expected_against
    if budget is None:
        assert entry["budget_used_pct"] is None and entry["budget_period"] is None
    else:
        assert entry["budget_period"] == ("daily" if period == "daily" else "lifetime")
        assert entry["budget_used_pct"] == percent(entry["spend_against_budget"], entry["budget"])
