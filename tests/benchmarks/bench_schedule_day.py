"""Scale on paper, measured: one day of schedules for 1,000,000 integrations, planned with the
scheduler's own pure domain code (:func:`cmis_scheduler.domain.entries.plan_entries`: the
stagger offsets and next due times it writes for every integration), no database, no broker.

Prints the planning rate (entries/s, one core) and the busiest minute any platform would see
over the day when every entry is dispatched at its planned slots, beside that platform's rate
budget: the staggering alone must keep each platform under its budget, so the budget only
flattens what hashing leaves, never holds a backlog. Integrations are spread over the five
platforms and over organizations in a few time zones (the daily full sync follows the
organization's local 02:00).
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime

from cmis_scheduler.adapters.zones import zone
from cmis_scheduler.domain.entries import IntegrationView, plan_entries
from cmis_scheduler.domain.schedule import ScheduleDefaults, schedule_specs
from cmis_scheduler.settings import SchedulerSettings
from cmis_shared.events import Platform
from tests.benchmarks.common import BenchResult, print_results

DAY = 86_400
ZONES = ("UTC", "America/New_York", "Europe/Berlin", "Asia/Tokyo", "America/Los_Angeles")
PER_ORG = 20  # integrations per organization
# Enough for 1,000,000 integrations: 31 syncs a day each over five platforms is 6.2 million
# a day per platform, 4,306 a minute on average; the daily full syncs of one time zone add
# 1,333 a minute inside their hour.
BUDGET_PER_MINUTE = 7_200


def _views(count: int, defaults: ScheduleDefaults) -> list[IntegrationView]:
    rng = random.Random(19)
    platforms = list(Platform)
    specs = schedule_specs(defaults, None)
    views = []
    for n in range(count):
        org = n // PER_ORG
        views.append(
            IntegrationView(
                integration_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                org_id=uuid.UUID(int=org + 1),
                platform=platforms[n % len(platforms)].value,
                active=True,
                zone=zone(ZONES[org % len(ZONES)]),
                specs=specs,
            )
        )
    return views


def _busiest(per_second: list[int], window: int) -> int:
    running = sum(per_second[:window])
    best = running
    for second in range(window, len(per_second)):
        running += per_second[second] - per_second[second - window]
        best = max(best, running)
    return best


async def run(scale: float = 1.0) -> list[BenchResult]:
    count = max(1000, int(1_000_000 * scale))
    defaults = ScheduleDefaults()
    day_start = datetime(2026, 3, 10, tzinfo=UTC)
    views = _views(count, defaults)

    started = time.process_time()
    planned = [(view, plan_entries(view, {}, day_start)) for view in views]
    planning = time.process_time() - started
    entries = sum(len(states) for _, states in planned)

    # Every slot of the day [day_start, day_start + 1 day), per platform and second.
    per_second: dict[str, list[int]] = defaultdict(lambda: [0] * DAY)
    syncs = 0
    for view, states in planned:
        seconds = per_second[view.platform]
        for state in states:
            first = int((state.next_due_at - day_start).total_seconds())
            for second in range(first, DAY, state.period_seconds):
                seconds[second] += 1
                syncs += 1
    peak_minute = max(_busiest(seconds, 60) for seconds in per_second.values())
    average_minute = syncs / len(per_second) / (DAY / 60)
    configured = SchedulerSettings.model_fields["default_rate_budget_per_minute"].default
    budget = BUDGET_PER_MINUTE * count / 1_000_000  # scaled with a smaller run
    return [
        BenchResult(
            f"schedule day: {count:,} integrations planned ({entries:,} entries, pure domain, "
            "one core, CPU time)",
            entries / planning, "entries/s", "≥ 20,000 entries/s",
            goal_met=entries / planning >= 20_000,
        ),
        BenchResult(
            f"schedule day: busiest platform minute over the day ({syncs:,} syncs, "
            f"average {average_minute:,.0f}/min per platform; default budget {configured:,}/min)",
            float(peak_minute), "requests/min", f"<= budget {budget:,.0f}/min",
            budget, "the per-platform budget for this many integrations",
            higher_is_better=False, goal_met=peak_minute <= budget,
        ),
    ]  # fmt: skip


if __name__ == "__main__":
    print_results(asyncio.run(run()))
