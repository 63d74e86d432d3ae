"""Anomaly rules: one day's spend, click-through rate, conversions or cost per result against
the subject's own trailing baseline.

The baseline is robust and knows the day of the week. Over the last ``BASELINE_DAYS`` days
before the judged day (at least ``MIN_BASELINE_DAYS`` with a value):

- the expected value is the median of those days times the judged weekday's index (the
  median of that weekday's values over the overall median, from two samples up, kept within
  [0.5, 2]): Sundays are judged against Sundays' usual share;
- the spread is the MAD of the log residuals (each day against its weekday's median over
  the *other* days of that weekday: four days fit their own median closely, and the MAD
  would come out about half of the real spread), scaled to a standard deviation
  (x 1.4826), never below ``MIN_SPREAD`` nor below the counting noise of the events behind
  the metric (1/sqrt(n) for n clicks or conversions on a usual day);
- the score is the judged day's log residual over that spread (a robust z-score in log
  space: rises and drops are ratios).

A day is anomalous when the score passes the sensitivity's threshold *and* the ratio to the
expected value passes its floor, so a very regular series does not alert on a 10 % wobble.
The volume guards keep small numbers silent: a campaign with a dozen clicks a day can triple
its spend or lose every conversion by chance. The organization's sensitivity (``low``,
``medium``, ``high``) sets both thresholds (see :data:`SENSITIVITIES`).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from cmis_alerting.domain.observations import (
    AlertKey,
    Observation,
    SubjectType,
    clear,
    holds,
)
from cmis_alerting.domain.series import DayFigures
from cmis_shared.events import AlertType, Severity

BASELINE_DAYS = 28
MIN_BASELINE_DAYS = 14
MIN_SPREAD = 0.05  # log units: a series steadier than +-5 % is judged as if it were +-5 %
MAD_TO_SD = 1.4826
WEEKDAY_INDEX_RANGE = (0.5, 2.0)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Sensitivity:
    name: str
    min_score: float  # robust z-score (log space) a day must reach
    rise_ratio: float  # a rise must also be at least this many times the expected value
    drop_ratio: float  # a drop at most this fraction of it


SENSITIVITIES = {
    "low": Sensitivity("low", min_score=6.0, rise_ratio=2.0, drop_ratio=0.4),
    "medium": Sensitivity("medium", min_score=4.0, rise_ratio=1.5, drop_ratio=0.6),
    "high": Sensitivity("high", min_score=3.0, rise_ratio=1.3, drop_ratio=0.75),
}
DEFAULT_SENSITIVITY = SENSITIVITIES["medium"]


@dataclass(frozen=True)
class VolumeGuard:
    """Below these, a rule does not judge (and an open alert of it clears)."""

    min_daily_clicks: int = 20  # baseline median (spend spike, CTR drop)
    min_day_impressions: int = 500  # the judged day (CTR drop: no delivery has no CTR)
    min_daily_conversions: Decimal = Decimal(10)  # baseline median (conversions, cost/result)


DEFAULT_GUARD = VolumeGuard()


@dataclass(frozen=True)
class Baseline:
    expected: float  # for the judged day, weekday-adjusted
    spread: float  # robust standard deviation of log residuals
    days: int


@dataclass(frozen=True)
class AnomalyRule:
    alert_type: AlertType
    metric: str  # what the message calls it
    rises: bool  # True: alerts on a rise, False: on a drop
    value: Callable[[DayFigures], float | None]  # None: undefined that day
    # The smoothing added before taking logs, given the baseline median: keeps a zero day
    # finite and a count of 1 against 2 from looking like a halving.
    offset: Callable[[float], float]
    # Why the rule cannot judge (too little volume), given the history and the day; or None.
    guard: Callable[[list[DayFigures], DayFigures, VolumeGuard], str | None]
    money: bool  # formatted with the currency
    # The count of events whose chance variation the metric carries (clicks, conversions).
    events: Callable[[DayFigures], float]


@dataclass(frozen=True)
class Finding:
    rule: AnomalyRule
    day: date
    value: float | None = None
    expected: float | None = None
    score: float = 0.0
    anomalous: bool = False
    skipped: str | None = None  # why the rule did not judge

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.expected:
            return None
        return self.value / self.expected


def _spend(f: DayFigures) -> float:
    return float(f.spend)


def _ctr(f: DayFigures) -> float | None:
    return f.clicks / f.impressions if f.impressions > 0 else None


def _conversions(f: DayFigures) -> float:
    return float(f.conversions)


def _cost_per_result(f: DayFigures) -> float | None:
    return float(f.spend / f.conversions) if f.conversions > 0 else None


def _relative_offset(median: float) -> float:
    return max(median * 0.01, 1e-9)


def _median_clicks(history: list[DayFigures]) -> float:
    return statistics.median(f.clicks for f in history) if history else 0.0


def _median_conversions(history: list[DayFigures]) -> Decimal:
    return statistics.median(f.conversions for f in history) if history else Decimal(0)


def _clicks_guard(history: list[DayFigures], _: DayFigures, guard: VolumeGuard) -> str | None:
    if _median_clicks(history) < guard.min_daily_clicks:
        return f"fewer than {guard.min_daily_clicks} clicks on a usual day"
    return None


def _ctr_guard(history: list[DayFigures], day: DayFigures, guard: VolumeGuard) -> str | None:
    if reason := _clicks_guard(history, day, guard):
        return reason
    if day.impressions < guard.min_day_impressions:
        return f"fewer than {guard.min_day_impressions} impressions on the day"
    return None


def _conversions_guard(history: list[DayFigures], _: DayFigures, guard: VolumeGuard) -> str | None:
    if _median_conversions(history) < guard.min_daily_conversions:
        return f"fewer than {guard.min_daily_conversions} conversions on a usual day"
    return None


def _cost_per_result_guard(
    history: list[DayFigures], day: DayFigures, guard: VolumeGuard
) -> str | None:
    if reason := _conversions_guard(history, day, guard):
        return reason
    if day.conversions <= 0:
        return "no conversion on the day (the conversion drop rule covers it)"
    return None


def _clicks(f: DayFigures) -> float:
    return float(f.clicks)


SPEND_SPIKE = AnomalyRule(
    AlertType.SPEND_SPIKE, "spend", True, _spend, _relative_offset, _clicks_guard, True, _clicks
)
CTR_DROP = AnomalyRule(
    AlertType.CTR_DROP,
    "click-through rate",
    False,
    _ctr,
    _relative_offset,
    _ctr_guard,
    False,
    _clicks,
)
CONVERSION_DROP = AnomalyRule(
    AlertType.CONVERSION_DROP,
    "conversions",
    False,
    _conversions,
    lambda _: 1.0,
    _conversions_guard,
    False,
    _conversions,
)
COST_PER_RESULT_RISE = AnomalyRule(
    AlertType.COST_PER_RESULT_RISE,
    "cost per result",
    True,
    _cost_per_result,
    _relative_offset,
    _cost_per_result_guard,
    True,
    _conversions,
)
RULES = (SPEND_SPIKE, CTR_DROP, CONVERSION_DROP, COST_PER_RESULT_RISE)


def baseline(
    history: Mapping[date, float],
    day: date,
    offset: Callable[[float], float],
    usual_events: float | None = None,
) -> Baseline | None:
    """The weekday-aware robust baseline of ``history`` for ``day``; None with too few days.
    ``usual_events``: the events (clicks, conversions) behind a usual day's value, whose
    counting noise bounds the spread from below."""
    if len(history) < MIN_BASELINE_DAYS:
        return None
    overall = statistics.median(history.values())
    eps = offset(overall)
    by_weekday: dict[int, list[tuple[date, float]]] = {}
    for d, v in history.items():
        by_weekday.setdefault(d.weekday(), []).append((d, v))

    def index(weekday: int, leave_out: date | None = None) -> float:
        values = [v for d, v in by_weekday.get(weekday, []) if d != leave_out]
        if len(values) < 2:
            return 1.0
        low, high = WEEKDAY_INDEX_RANGE
        return min(max((statistics.median(values) + eps) / (overall + eps), low), high)

    # Each past day against an index fitted without it: fitted with it, four days a weekday
    # pull their own median close and the spread comes out about half of what it is.
    residuals = [
        math.log((v + eps) / ((overall + eps) * index(d.weekday(), leave_out=d)))
        for d, v in history.items()
    ]
    centre = statistics.median(residuals)
    mad = statistics.median(abs(r - centre) for r in residuals)
    expected = (overall + eps) * index(day.weekday()) - eps
    counting_noise = 1 / math.sqrt(max(usual_events, 1.0)) if usual_events is not None else 0.0
    return Baseline(
        expected=max(expected, 0.0),
        spread=max(mad * MAD_TO_SD, MIN_SPREAD, counting_noise),
        days=len(history),
    )


def judge(
    rule: AnomalyRule,
    series: Mapping[date, DayFigures],
    day: date,
    sensitivity: Sensitivity = DEFAULT_SENSITIVITY,
    guard: VolumeGuard = DEFAULT_GUARD,
) -> Finding:
    """Whether ``day`` is anomalous for ``rule`` against the series' trailing baseline."""
    figures = series.get(day)
    if figures is None:
        return Finding(rule, day, skipped="no figures for the day")
    window = [day - timedelta(days=n) for n in range(BASELINE_DAYS, 0, -1)]
    past = [(d, series[d]) for d in window if d in series]
    if reason := rule.guard([f for _, f in past], figures, guard):
        return Finding(rule, day, skipped=reason)
    history = {d: v for d, f in past if (v := rule.value(f)) is not None}
    value = rule.value(figures)
    usual_events = statistics.median(rule.events(f) for _, f in past) if past else None
    base = baseline(history, day, rule.offset, usual_events)
    if value is None or base is None:
        return Finding(rule, day, value, skipped="too little history")
    eps = rule.offset(statistics.median(history.values()))
    score = math.log((value + eps) / (base.expected + eps)) / base.spread
    ratio = (value + eps) / (base.expected + eps)
    if rule.rises:
        anomalous = score >= sensitivity.min_score and ratio >= sensitivity.rise_ratio
    else:
        anomalous = -score >= sensitivity.min_score and ratio <= sensitivity.drop_ratio
    return Finding(rule, day, value, base.expected, score, anomalous)


# --- observations -----------------------------------------------------------------------


@dataclass(frozen=True)
class AnomalySubject:
    """Who the anomaly is about: a campaign, or an organization's total in one currency."""

    org_id: UUID
    subject_type: SubjectType
    subject_id: UUID
    label: str  # "campaign 'Spring sale'", "the organization (EUR)"
    currency: str
    details: Mapping[str, Any]  # carried into every alert (integration_id for campaigns)

    def key(self, rule: AnomalyRule) -> AlertKey:
        return AlertKey(self.org_id, rule.alert_type, self.subject_type, self.subject_id)


def anomaly_observations(
    subject: AnomalySubject,
    series: Mapping[date, DayFigures],
    day: date,
    fact_at: datetime,
    sensitivity: Sensitivity = DEFAULT_SENSITIVITY,
    guard: VolumeGuard = DEFAULT_GUARD,
) -> list[Observation]:
    """Every anomaly rule on ``subject``'s ``day``: holds when anomalous, else clear."""
    observations = []
    for rule in RULES:
        finding = judge(rule, series, day, sensitivity, guard)
        key = subject.key(rule)
        if finding.skipped is not None:
            observations.append(clear(key, fact_at, f"not judged: {finding.skipped}"))
        elif not finding.anomalous:
            observations.append(clear(key, fact_at, f"{rule.metric} is back in its usual range"))
        else:
            observations.append(_holds(subject, finding, key, fact_at, sensitivity))
    return observations


def _holds(
    subject: AnomalySubject,
    finding: Finding,
    key: AlertKey,
    fact_at: datetime,
    sensitivity: Sensitivity,
) -> Observation:
    rule, ratio = finding.rule, finding.ratio or 0.0
    assert finding.value is not None and finding.expected is not None  # judged
    shown, usual = _format(rule, finding.value, subject), _format(rule, finding.expected, subject)
    weekday = WEEKDAYS[finding.day.weekday()]
    change = f"{ratio:.1f}x" if rule.rises else f"{(1 - ratio) * 100:.0f}% below"
    title = {
        AlertType.SPEND_SPIKE: "Spend spike",
        AlertType.CTR_DROP: "Click-through rate drop",
        AlertType.CONVERSION_DROP: "Conversion drop",
        AlertType.COST_PER_RESULT_RISE: "Cost per result rise",
    }[rule.alert_type]
    extreme = ratio >= 3 if rule.rises else ratio <= 0.25
    return holds(
        key,
        fact_at,
        Severity.CRITICAL if extreme else Severity.WARNING,
        f"{title} on {subject.label}: {shown} on {finding.day.isoformat()}, "
        f"{change} the usual {usual} for a {weekday}",
        {
            **subject.details,
            "metric": rule.metric,
            "day": finding.day.isoformat(),
            "value": round(finding.value, 6),
            "expected": round(finding.expected, 6),
            "ratio": round(ratio, 3),
            "score": round(finding.score, 2),
            "sensitivity": sensitivity.name,
            "currency": subject.currency,
        },
    )


def _format(rule: AnomalyRule, value: float, subject: AnomalySubject) -> str:
    if rule.alert_type is AlertType.CTR_DROP:
        return f"{value:.2%}"
    if rule.money:
        return f"{value:,.2f} {subject.currency}"
    return f"{value:,.1f}".removesuffix(".0")
