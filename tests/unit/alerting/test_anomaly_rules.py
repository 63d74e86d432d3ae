"""The anomaly rules as pure functions: weekday-aware robust baseline, volume guards,
sensitivity, and the observations they make."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from cmis_alerting.domain.anomalies import (
    CONVERSION_DROP,
    COST_PER_RESULT_RISE,
    CTR_DROP,
    SENSITIVITIES,
    SPEND_SPIKE,
    AnomalySubject,
    anomaly_observations,
    baseline,
    judge,
)
from cmis_alerting.domain.series import AccountDay, DayFigures, organization_series
from cmis_alerting.domain.thresholds import Thresholds
from cmis_shared.events import AlertType, Severity

DAY = date(2025, 3, 30)  # a Sunday
WOBBLE = (1.0, 1.07, 0.94, 1.03, 0.97, 1.05, 0.95, 1.02, 0.98, 1.06, 0.93)
WEEKEND = {5: 0.6, 6: 0.5}  # weekends deliver about half


def series(
    days: int = 35, impressions: int = 20_000, ctr: float = 0.02, cvr: float = 0.1, cpc: int = 1
) -> dict[date, DayFigures]:
    """A regular campaign: weekday rhythm and a +-7 % wobble, up to and including DAY."""
    out = {}
    for n in range(days):
        d = DAY - timedelta(days=n)
        scale = WEEKEND.get(d.weekday(), 1.0) * WOBBLE[n % len(WOBBLE)]
        shown = int(impressions * scale)
        clicks = int(shown * ctr)
        out[d] = DayFigures(Decimal(clicks * cpc), shown, clicks, Decimal(int(clicks * cvr)))
    return out


def with_day(base: dict[date, DayFigures], **changes: object) -> dict[date, DayFigures]:
    return {**base, DAY: replace(base[DAY], **changes)}  # type: ignore[arg-type]


def test_a_regular_series_raises_nothing_on_any_rule() -> None:
    for rule in (SPEND_SPIKE, CTR_DROP, CONVERSION_DROP, COST_PER_RESULT_RISE):
        finding = judge(rule, series(), DAY)
        assert finding.skipped is None and not finding.anomalous, (rule.metric, finding)


def test_the_baseline_knows_the_day_of_the_week() -> None:
    history = {d: float(f.spend) for d, f in series().items() if d < DAY}
    sunday = baseline(history, DAY, lambda m: m * 0.01)
    monday = baseline(history, DAY + timedelta(days=1), lambda m: m * 0.01)
    assert sunday is not None and monday is not None
    # A Sunday is expected at about half a weekday: a weekday's spend on a Sunday is a spike.
    assert sunday.expected == pytest.approx(monday.expected * 0.5, rel=0.1)
    weekday_level = series()[DAY - timedelta(days=6)]  # the Monday before
    assert judge(SPEND_SPIKE, with_day(series(), spend=weekday_level.spend * 2), DAY).anomalous


def test_a_spend_spike_is_found_and_a_small_rise_is_not() -> None:
    base = series()
    spiked = with_day(base, spend=base[DAY].spend * 4)
    finding = judge(SPEND_SPIKE, spiked, DAY)
    assert finding.anomalous and finding.ratio == pytest.approx(4, rel=0.1)
    assert not judge(
        SPEND_SPIKE, with_day(base, spend=base[DAY].spend * Decimal("1.3")), DAY
    ).anomalous


def test_ctr_and_conversion_drops_and_a_cost_per_result_rise() -> None:
    base = series()
    today = base[DAY]
    assert judge(CTR_DROP, with_day(base, clicks=today.clicks // 4), DAY).anomalous
    assert judge(CONVERSION_DROP, with_day(base, conversions=Decimal(0)), DAY).anomalous
    costly = with_day(base, spend=today.spend * 3)
    assert judge(COST_PER_RESULT_RISE, costly, DAY).anomalous
    assert not judge(CONVERSION_DROP, costly, DAY).anomalous


def test_small_numbers_raise_nothing() -> None:
    # 200 impressions and 4 clicks a day: tripled spend and no conversion are chance.
    small = series(impressions=200)
    assert judge(SPEND_SPIKE, with_day(small, spend=small[DAY].spend * 5), DAY).skipped
    assert judge(CONVERSION_DROP, with_day(small, conversions=Decimal(0)), DAY).skipped
    # A stop in delivery has no click-through rate to judge.
    stopped = with_day(series(), impressions=0, clicks=0)
    assert judge(CTR_DROP, stopped, DAY).skipped


def test_too_short_a_history_judges_nothing() -> None:
    short = series(days=10)
    assert judge(SPEND_SPIKE, with_day(short, spend=short[DAY].spend * 5), DAY).skipped


def test_sensitivity_moves_the_thresholds() -> None:
    base = series()
    rise = with_day(base, spend=base[DAY].spend * Decimal("1.7"))
    assert judge(SPEND_SPIKE, rise, DAY, SENSITIVITIES["high"]).anomalous
    assert judge(SPEND_SPIKE, rise, DAY, SENSITIVITIES["medium"]).anomalous
    assert not judge(SPEND_SPIKE, rise, DAY, SENSITIVITIES["low"]).anomalous


def test_the_org_sensitivity_comes_from_its_settings() -> None:
    defaults = Thresholds()
    assert defaults.anomaly_sensitivity.name == "medium"
    low = defaults.with_overrides({"alerts": {"anomaly_sensitivity": "low"}})
    assert low.anomaly_sensitivity is SENSITIVITIES["low"]
    for bad in ("loud", ["high"], 3, None):
        assert defaults.with_overrides({"alerts": {"anomaly_sensitivity": bad}}) == defaults


def test_observations_raise_the_anomalous_rules_and_clear_the_others() -> None:
    base = series()
    subject = AnomalySubject(
        uuid.uuid4(), "campaign", uuid.uuid4(), "campaign 'Spring'", "EUR",
        {"integration_id": "i-1"},
    )  # fmt: skip
    at = datetime(2025, 3, 31, 6, tzinfo=UTC)
    observations = anomaly_observations(subject, with_day(base, spend=base[DAY].spend * 4), DAY, at)
    by_type = {o.key.alert_type: o for o in observations}
    assert set(by_type) == {
        AlertType.SPEND_SPIKE, AlertType.CTR_DROP,
        AlertType.CONVERSION_DROP, AlertType.COST_PER_RESULT_RISE,
    }  # fmt: skip
    spike = by_type[AlertType.SPEND_SPIKE]
    assert spike.severity is Severity.CRITICAL  # 4x
    assert spike.message.startswith("Spend spike on campaign 'Spring': ")
    assert (
        "2025-03-30" in spike.message and "for a Sunday" in spike.message and "EUR" in spike.message
    )
    assert spike.details["integration_id"] == "i-1" and spike.details["ratio"] == pytest.approx(
        4, rel=0.1
    )
    # The spend rose without conversions: cost per result rose too, the rest is clear.
    assert by_type[AlertType.COST_PER_RESULT_RISE].severity is not None
    assert by_type[AlertType.CTR_DROP].is_clear and by_type[AlertType.CONVERSION_DROP].is_clear


def test_the_organization_series_leaves_out_accounts_not_synced_to_the_day() -> None:
    synced, behind = uuid.uuid4(), uuid.uuid4()
    one = DayFigures(Decimal(10), 100, 5, Decimal(1))
    rows = [
        AccountDay(synced, "EUR", DAY, one),
        AccountDay(synced, "EUR", DAY - timedelta(days=1), one),
        AccountDay(behind, "EUR", DAY - timedelta(days=1), one),
        AccountDay(synced, "USD", DAY, one),
    ]
    totals = organization_series(rows, DAY)
    assert totals["EUR"][DAY - timedelta(days=1)] == one  # not doubled by the account behind
    assert set(totals) == {"EUR", "USD"}


def test_a_low_day_within_the_counting_noise_of_few_conversions_raises_nothing() -> None:
    # About 16 conversions on a usual day (the series wobbles only +-7 %): a day of 7 is
    # 2.7 standard deviations of a count of 16 below, chance once in a few hundred days.
    base = series(impressions=16_000, cvr=0.1)  # on Sundays 160 clicks, 16 conversions
    assert not judge(
        CONVERSION_DROP, with_day(base, conversions=Decimal(7)), DAY - timedelta(days=0)
    ).anomalous
    # A day of 1 is not chance.
    assert judge(CONVERSION_DROP, with_day(base, conversions=Decimal(1)), DAY).anomalous
