import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmis_scheduler.domain.budget import MICROS, WINDOW_MICROS, PacedBudget, RateBudget, grant
from tests.support.windows import max_in_any_window

pytestmark = pytest.mark.unit


requests = st.lists(
    st.tuples(st.integers(0, 5 * MICROS), st.integers(0, 400)), min_size=1, max_size=200
)


@given(
    per_minute=st.integers(1, 5000),
    tolerance=st.integers(0, 3 * MICROS),
    pattern=requests,
)
def test_no_sixty_second_window_ever_exceeds_the_budget(
    per_minute: int, tolerance: int, pattern: list[tuple[int, int]]
) -> None:
    budget = PacedBudget(RateBudget(per_minute, tolerance))
    now, granted_at = 0, []
    for gap, wanted in pattern:
        now += gap
        granted = budget.take(now, wanted)
        assert 0 <= granted <= wanted
        granted_at += [now] * granted
    assert max_in_any_window(granted_at, WINDOW_MICROS) <= per_minute


@given(per_minute=st.integers(6, 6000), tolerance=st.integers(MICROS, 3 * MICROS))
def test_under_constant_demand_the_budget_is_used_not_starved(
    per_minute: int, tolerance: int
) -> None:
    """Asked once a second with a tolerance of at least that second (the scheduler's tick),
    the grants reach the budget's full rate: nothing is lost to rounding between ticks."""
    budget = PacedBudget(RateBudget(per_minute, tolerance))
    total = sum(budget.take(second * MICROS, 10**6) for second in range(121))
    assert total >= 2 * per_minute * 60 / (60 + tolerance / MICROS) - 1


def test_available_peeks_without_spending() -> None:
    budget = PacedBudget(RateBudget(60, 0))
    assert budget.available(0, 5) == 1
    assert budget.available(0, 5) == 1
    assert budget.take(0, 5) == 1
    assert budget.take(0, 5) == 0
    assert budget.take(MICROS, 5) == 1


def test_invalid_budget_is_refused() -> None:
    with pytest.raises(ValueError):
        RateBudget(0)
    assert grant(RateBudget(10), None, 0, 0) == (0, None)
