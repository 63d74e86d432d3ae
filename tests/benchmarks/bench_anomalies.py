"""Anomaly rules: precision and recall of each rule on simulated series with anomalies
injected at known days (issue 17's goal: precision >= 0.9 and recall >= 0.8 on the injected
set, at the default sensitivity).

The series are the platform simulator's "steady" ones (per campaign a level, a weekly rhythm
and day-to-day noise; one campaign in five too small for any rule to judge), over five
platforms. Every campaign gets one anomaly through the simulator's own injection
(:mod:`cmis_platform_sim.anomalies`) on one of the last ``JUDGED_DAYS`` days, of one of five
kinds in turn, with a random strength:

- delivery spike: spend, impressions, clicks and conversions x 2.5-5 (a spend spike; its
  CTR and cost per result stay);
- cost spike: spend x 2.5-5 alone (a spend spike and a cost per result rise);
- CTR drop: clicks x 0.1-0.4 (a CTR drop);
- conversion drop: conversions x 0-0.35 (a conversion drop and a cost per result rise);
- stop: no delivery at all (a conversion drop; CTR and cost per result are undefined).

Every one of the last ``JUDGED_DAYS`` days of every campaign is judged by every rule as
alerting judges it (:func:`cmis_alerting.domain.anomalies.judge`, 28-day baseline). The truth
of a rule on an injected day: the injection moves that rule's metric at least 2x up (rises)
or to at most half (drops) against the generated figure, and the rule judges the campaign
(its volume guard passes). A rule's recall is over its truth set; its precision over every
day it flagged (an alert on a day without an injection, or on an injection that does not
move its metric that far, is a false alarm).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from cmis_alerting.domain.anomalies import DEFAULT_SENSITIVITY, RULES, AnomalyRule, judge
from cmis_alerting.domain.series import DayFigures
from cmis_platform_sim.anomalies import parse_anomaly
from cmis_platform_sim.dataset import PLATFORMS, DailyMetric, Dataset, Size
from tests.benchmarks.common import BenchResult, print_results

SEED = 1717
END = date(2025, 3, 31)
DAYS = 60
JUDGED_DAYS = 14
CAMPAIGNS_PER_ACCOUNT = 8
ACCOUNTS_PER_PLATFORM = 25  # x 5 platforms x 8 campaigns = 1,000 campaigns at scale 1
PRECISION_GOAL, RECALL_GOAL = 0.9, 0.8
TRUTH_RISE, TRUTH_DROP = 2.0, 0.5

INJECTIONS = {
    "delivery spike": ("spike", ("spend", "impressions", "clicks", "conversions"), (2.5, 5.0)),
    "cost spike": ("spike", ("spend",), (2.5, 5.0)),
    "CTR drop": ("drop", ("clicks",), (0.1, 0.4)),
    "conversion drop": ("drop", ("conversions",), (0.0, 0.35)),
    "stop": ("stop", (), (0.0, 0.0)),
}


@dataclass
class Tally:
    true_positives: int = 0
    false_positives: int = 0
    truths: int = 0

    @property
    def precision(self) -> float:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.truths if self.truths else 0.0


def _figures(row: DailyMetric) -> DayFigures:
    return DayFigures(row.spend, row.impressions, row.clicks, row.conversions)


def _series(ds: Dataset, platform: str, account: str) -> dict[str, dict[date, DayFigures]]:
    out: dict[str, dict[date, DayFigures]] = {}
    for row in ds.daily_metrics(platform, account, ds.start_date, END):
        out.setdefault(row.campaign_external_id, {})[row.day] = _figures(row)
    return out


def _moved(rule: AnomalyRule, clean: DayFigures, injected: DayFigures) -> bool:
    before, after = rule.value(clean), rule.value(injected)
    if before is None or after is None or before <= 0:
        return False
    ratio = after / before
    return ratio >= TRUTH_RISE if rule.rises else ratio <= TRUTH_DROP


def evaluate(scale: float) -> tuple[dict[str, Tally], Counter[str], int]:
    accounts = max(1, round(ACCOUNTS_PER_PLATFORM * scale))
    size = Size(accounts, CAMPAIGNS_PER_ACCOUNT, DAYS, 0, "steady")
    clean, injected = Dataset(SEED, size, END), Dataset(SEED, size, END)
    rng = random.Random(SEED)
    judged = [END - timedelta(days=n) for n in range(JUDGED_DAYS)]
    planted: dict[tuple[str, str, str], date] = {}
    kinds: Counter[str] = Counter()
    names = list(INJECTIONS)
    for platform in PLATFORMS:
        for account in clean.account_ids(platform):
            for campaign in clean.campaigns(platform, account):
                name = names[len(planted) % len(names)]
                kind, metrics, (low, high) = INJECTIONS[name]
                day = rng.choice(judged)
                spec = {"kind": kind, "platform": platform, "account": account,
                        "campaign": campaign.external_id, "day": day.isoformat(),
                        "factor": rng.uniform(low, high)}  # fmt: skip
                if metrics:
                    spec["metrics"] = list(metrics)
                injected.anomalies.add(parse_anomaly(spec))
                planted[(platform, account, campaign.external_id)] = day
                kinds[name] += 1
    tallies = {str(rule.alert_type): Tally() for rule in RULES}
    campaign_days = 0
    for platform in PLATFORMS:
        for account in clean.account_ids(platform):
            before, after = _series(clean, platform, account), _series(injected, platform, account)
            for campaign, series in after.items():
                planted_day = planted[(platform, account, campaign)]
                for day in judged:
                    campaign_days += 1
                    for rule in RULES:
                        tally = tallies[str(rule.alert_type)]
                        finding = judge(rule, series, day, DEFAULT_SENSITIVITY)
                        truth = (
                            day == planted_day
                            and finding.skipped is None
                            and _moved(rule, before[campaign][day], series[day])
                        )
                        tally.truths += truth
                        if finding.anomalous:
                            if truth:
                                tally.true_positives += 1
                            else:
                                tally.false_positives += 1
    return tallies, kinds, campaign_days


async def run(scale: float = 1.0) -> list[BenchResult]:
    tallies, kinds, campaign_days = evaluate(scale)
    injected = ", ".join(f"{n} {name}" for name, n in kinds.items())
    results: list[BenchResult] = []
    for rule, tally in tallies.items():
        label = (
            f"{tally.true_positives} of {tally.true_positives + tally.false_positives} flagged "
            f"days; {campaign_days:,} campaign-days judged"
        )
        results.append(BenchResult(
            name=f"anomaly {rule}: precision", figure=tally.precision * 100, unit="%",
            goal=f">= {PRECISION_GOAL:.0%}", reference_label=label,
            goal_met=tally.precision >= PRECISION_GOAL,
        ))  # fmt: skip
        results.append(BenchResult(
            name=f"anomaly {rule}: recall", figure=tally.recall * 100, unit="%",
            goal=f">= {RECALL_GOAL:.0%}",
            reference_label=f"{tally.true_positives} of {tally.truths} injected ({injected})",
            goal_met=tally.recall >= RECALL_GOAL,
        ))  # fmt: skip
    return results


if __name__ == "__main__":
    import asyncio

    print_results(asyncio.run(run()))
